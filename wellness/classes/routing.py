from __future__ import annotations

from django.urls import path

from wellness.classes.consumers import ClassSessionConsumer

websocket_urlpatterns = [
    path("ws/v1/classes/<dbid:occurrence_id>/", ClassSessionConsumer.as_asgi()),
]
