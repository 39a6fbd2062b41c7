"""WebSockets: authentication, origin validation, token scopes and revocation."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.helpers import channel_layer
from wellness.config.asgi import application
from wellness.core.groups import user_group
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create, access_token_revoke
from wellness.people.websocket import CLOSE_FORBIDDEN, CLOSE_TOKEN_REVOKED, CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/v1/notifications/"


@database_sync_to_async
def new_token(user: User, scope: str = TokenScope.API) -> tuple[int, str]:
    token, raw = access_token_create(user=user, name="test", scope=scope)
    return token.pk, raw


def communicator(secret: str | None = None, origin: str | None = None) -> WebsocketCommunicator:
    headers = []
    if secret:
        headers.append((b"authorization", f"Bearer {secret}".encode()))
    if origin:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, PATH, headers=headers)


async def test_anonymous_socket_is_closed_as_unauthenticated() -> None:
    ws = communicator()

    connected, code = await ws.connect()

    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_token_socket_receives_the_users_notifications(user: User) -> None:
    _, secret = await new_token(user)
    ws = communicator(secret)
    connected, _ = await ws.connect()

    await channel_layer().group_send(
        user_group(user.pk), {"type": "notify", "event": {"kind": "badge", "name": "First 5K"}}
    )

    assert connected
    assert await ws.receive_json_from(timeout=2) == {"kind": "badge", "name": "First 5K"}
    await ws.disconnect()


async def test_socket_from_a_foreign_origin_is_refused(user: User) -> None:
    _, secret = await new_token(user)
    ws = communicator(secret, origin="https://evil.example")

    connected, _ = await ws.connect()

    assert connected is False


async def test_socket_from_an_allowed_origin_is_accepted(user: User) -> None:
    _, secret = await new_token(user)
    ws = communicator(secret, origin="http://localhost:8000")

    connected, _ = await ws.connect()

    assert connected is True
    await ws.disconnect()


async def test_ingest_token_cannot_open_the_notification_socket(user: User) -> None:
    _, secret = await new_token(user, TokenScope.INGEST)

    connected, code = await communicator(secret).connect()

    assert (connected, code) == (False, CLOSE_FORBIDDEN)


async def test_unknown_token_is_unauthenticated() -> None:
    connected, code = await communicator("wv_deadbeef_nope").connect()

    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_revoking_a_token_closes_its_open_socket(user: User) -> None:
    token_id, secret = await new_token(user)
    ws = communicator(secret)
    await ws.connect()

    await database_sync_to_async(access_token_revoke)(user=user, token_id=token_id)

    assert await ws.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": CLOSE_TOKEN_REVOKED,
    }


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def test_a_session_cookie_socket_is_authenticated_by_the_session(user: User) -> None:
    ws = WebsocketCommunicator(application, PATH, headers=[(b"cookie", await session_cookie(user))])

    connected, _ = await ws.connect()

    assert connected is True
    await ws.disconnect()


async def test_an_unknown_token_falls_back_to_the_session_cookie(user: User) -> None:
    headers = [
        (b"cookie", await session_cookie(user)),
        (b"authorization", b"Bearer wv_deadbeef_nope"),
    ]
    ws = WebsocketCommunicator(application, PATH, headers=headers)

    connected, _ = await ws.connect()

    assert connected is True
    await ws.disconnect()


async def test_a_token_socket_skips_the_session_user_lookup(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Channels looks the session's user up in a hop to the one sync thread, cookie or not.
    import channels.auth

    lookups: list[object] = []
    real_get_user = channels.auth.get_user

    async def counting_get_user(scope: Any) -> object:
        lookups.append(scope)
        return await real_get_user(scope)

    monkeypatch.setattr(channels.auth, "get_user", counting_get_user)
    _, secret = await new_token(user)

    token_socket = communicator(secret)
    assert (await token_socket.connect())[0] is True
    anonymous = await communicator().connect()

    assert anonymous == (False, CLOSE_UNAUTHENTICATED)
    assert len(lookups) == 1  # the anonymous socket's, not the token socket's
    await token_socket.disconnect()
