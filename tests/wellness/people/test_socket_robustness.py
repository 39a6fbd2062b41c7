"""Every socket refuses floods, garbage and unknown paths cleanly (issue 19, point 14).

Over real WebSocket connections to the ASGI application (``wellness.config.asgi``).
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories import UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from tests.worlds.factories import WorldFactory
from wellness.classes.models import Instructor
from wellness.config.asgi import application
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.people.websocket import CLOSE_NOT_FOUND, CLOSE_RATE_LIMITED

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _secret(user: User) -> str:
    return access_token_create(user=user, name="ws", scope=TokenScope.API)[1]


@database_sync_to_async
def _world_path() -> str:
    return f"/ws/v1/worlds/{WorldFactory.create().pk}/"


@database_sync_to_async
def _class_path(instructor: Instructor) -> str:
    occurrence = FitnessClassFactory.create(instructor=instructor).occurrences.get()
    return f"/ws/v1/classes/{occurrence.pk}/"


async def _open(path: str, user: User) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {await _secret(user)}".encode())]
    )
    connected, code = await ws.connect(timeout=5)
    assert connected, code
    return ws


async def _drain(ws: WebsocketCommunicator) -> None:
    """Skip what a socket sends on connect (a world's snapshot, a class's state)."""
    while not await ws.receive_nothing(timeout=0.3):
        await ws.receive_output()


async def _sockets(instructor: Instructor) -> dict[str, tuple[str, User]]:
    return {
        "notifications": ("/ws/v1/notifications/", instructor.user),
        "world": (await _world_path(), instructor.user),
        "class": (await _class_path(instructor), instructor.user),
    }


def _error_code(reply: dict[str, Any]) -> str:
    nested = reply.get("error")
    return str(nested["code"] if isinstance(nested, dict) else reply["code"])


@pytest.mark.parametrize("kind", ["notifications", "world", "class"])
@pytest.mark.parametrize(
    "frame", [{"text_data": "{not json"}, {"bytes_data": b"\x00\xff"}, {"text_data": "null"}]
)
async def test_a_malformed_message_gets_an_error_reply_and_the_socket_stays_open(
    instructor: Instructor, kind: str, frame: dict[str, Any]
) -> None:
    path, user = (await _sockets(instructor))[kind]
    ws = await _open(path, user)
    await _drain(ws)

    await ws.send_to(**frame)
    reply = await ws.receive_json_from(timeout=3)

    assert reply["type"] == "error"
    assert _error_code(reply) == "malformed"
    await ws.send_to(text_data="{also not json")
    assert _error_code(await ws.receive_json_from(timeout=3)) == "malformed"
    await ws.disconnect()


@pytest.mark.parametrize("kind", ["notifications", "world", "class"])
async def test_a_flood_of_messages_is_closed_with_4429(
    instructor: Instructor, kind: str, settings: Any
) -> None:
    settings.WELLVERSE_SOCKET_MESSAGES_PER_SECOND = 0.001
    settings.WELLVERSE_SOCKET_MESSAGE_BURST = 3
    path, user = (await _sockets(instructor))[kind]
    ws = await _open(path, user)
    await _drain(ws)

    for _ in range(4):  # each answered with an error while the bucket lasts
        await ws.send_to(text_data="{not json")
    outputs = [await ws.receive_output(timeout=3) for _ in range(4)]

    assert [o["type"] for o in outputs[:3]] == ["websocket.send"] * 3
    assert outputs[3] == {"type": "websocket.close", "code": CLOSE_RATE_LIMITED}
    await ws.send_to(text_data="{}")  # nothing more is handled after the close
    assert await ws.receive_nothing(timeout=0.3)


@pytest.mark.parametrize(
    "path", ["/ws/v1/nowhere/", "/ws/v1/worlds/abc/", "/ws/v2/notifications/", "/"]
)
async def test_an_unknown_socket_path_is_refused_with_4404(path: str) -> None:
    user = await database_sync_to_async(UserFactory.create)()

    ws = WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {await _secret(user)}".encode())]
    )
    connected, code = await ws.connect(timeout=5)

    assert (connected, code) == (False, CLOSE_NOT_FOUND)


async def test_an_anonymous_socket_to_an_unknown_path_is_refused_too() -> None:
    connected, code = await WebsocketCommunicator(application, "/ws/v1/nowhere/").connect()

    assert (connected, code) == (False, CLOSE_NOT_FOUND)
