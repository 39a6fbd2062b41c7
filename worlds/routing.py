from django.urls import path, register_converter

from worlds.consumers import WorldConsumer


class DatabaseId:
    """An id that fits a bigint column: longer numbers do not match (404), rather than crash the
    query."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(DatabaseId, "dbid")

websocket_urlpatterns = [
    path("ws/v1/worlds/<dbid:world_id>/", WorldConsumer.as_asgi()),
]
