from django.urls import path

from devices.consumers import IngestConsumer

websocket_urlpatterns = [
    path("ws/v1/ingest/", IngestConsumer.as_asgi()),
]
