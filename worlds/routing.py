from django.urls import path

from worlds.consumers import WorldConsumer

websocket_urlpatterns = [
    path("ws/v1/worlds/<dbid:world_id>/", WorldConsumer.as_asgi()),
]
