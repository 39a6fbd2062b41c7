from django.urls import path

from wellness.people.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/v1/notifications/", NotificationConsumer.as_asgi()),
]
