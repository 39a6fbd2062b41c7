from __future__ import annotations

from django.urls import path

from wellness.care.rooms.consumers import ConsultationRoomConsumer

websocket_urlpatterns = [
    path("ws/v1/rooms/<dbid:appointment_id>/", ConsultationRoomConsumer.as_asgi()),
]
