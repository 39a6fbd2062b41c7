"""The per-process token-revocation watch: exactly the sockets of a revoked token are closed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories import WorkoutFactory, hr_samples
from tests.helpers import memory_layer
from wellness.config.asgi import application
from wellness.core import revocations
from wellness.core.revocations import REVOCATIONS_GROUP, revocation_watch
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create, access_token_revoke, account_delete
from wellness.people.websocket import CLOSE_TOKEN_REVOKED

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_REVOKED = {"type": "websocket.close", "code": CLOSE_TOKEN_REVOKED}


@database_sync_to_async
def new_token(user: User, scope: str) -> tuple[int, str]:
    token, raw = access_token_create(user=user, name="test", scope=scope)
    return token.pk, raw


def socket(path: str, secret: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {secret}".encode())]
    )


async def opened(path: str, secret: str) -> WebsocketCommunicator:
    ws = socket(path, secret)
    is_open, _ = await ws.connect()
    assert is_open
    return ws


def group_members() -> int:
    return len(memory_layer().groups.get(REVOCATIONS_GROUP, {}))


async def test_revoking_a_token_closes_exactly_the_sockets_of_that_token(
    consenting_user: User, other_user: User
) -> None:
    ingest_id, ingest_secret = await new_token(consenting_user, TokenScope.INGEST)
    _, api_secret = await new_token(consenting_user, TokenScope.API)
    _, other_secret = await new_token(other_user, TokenScope.INGEST)
    revoked = [
        await opened("/ws/v1/ingest/", ingest_secret),
        await opened("/ws/v1/ingest/", ingest_secret),
    ]
    same_user_other_token = await opened("/ws/v1/notifications/", api_secret)
    other = await opened("/ws/v1/ingest/", other_secret)

    await database_sync_to_async(access_token_revoke)(user=consenting_user, token_id=ingest_id)

    for ws in revoked:
        assert await ws.receive_output(timeout=2) == CLOSED_REVOKED
    assert await same_user_other_token.receive_nothing(timeout=0.3)
    workout = await database_sync_to_async(WorkoutFactory.create)(user=other_user)
    await other.send_json_to(
        {"type": "samples", "workout_id": workout.pk, "device": "strap", "seq": 1,
         "samples": hr_samples(1_764_000_000.0, 1)}
    )  # fmt: skip
    assert (await other.receive_json_from(timeout=2))["type"] == "ack"
    await same_user_other_token.disconnect()
    await other.disconnect()


async def test_one_subscription_serves_every_socket_of_the_process(
    consenting_user: User,
) -> None:
    token_id, secret = await new_token(consenting_user, TokenScope.INGEST)
    before = group_members()

    sockets = [await opened("/ws/v1/ingest/", secret) for _ in range(3)]

    watch = revocation_watch()
    assert watch is not None
    assert group_members() == before + 1  # this event loop's watch; not one per socket
    assert len(watch.sockets[token_id]) == 3
    for ws in sockets:
        await ws.disconnect()
    assert token_id not in watch.sockets


async def test_deleting_the_account_closes_the_sockets_of_all_its_tokens(
    consenting_user: User,
) -> None:
    _, ingest_secret = await new_token(consenting_user, TokenScope.INGEST)
    _, api_secret = await new_token(consenting_user, TokenScope.API)
    consenting_user.set_password("correct horse battery")
    await database_sync_to_async(consenting_user.save)()
    sockets = [
        await opened("/ws/v1/ingest/", ingest_secret),
        await opened("/ws/v1/notifications/", api_secret),
    ]

    await database_sync_to_async(account_delete)(
        user=consenting_user, password="correct horse battery"
    )

    for ws in sockets:
        assert await ws.receive_output(timeout=2) == CLOSED_REVOKED


async def test_a_token_revoked_after_its_lookup_cannot_register_a_socket(
    consenting_user: User,
) -> None:
    # The revocation was published between this socket's token look-up and its registration:
    # the database still says valid to the look-up, the watch has heard otherwise.
    ingest_id, ingest_secret = await new_token(consenting_user, TokenScope.INGEST)
    api_id, api_secret = await new_token(consenting_user, TokenScope.API)
    watch = revocation_watch()
    assert watch is not None
    await watch.subscribed()
    watch.tokens_revoked([ingest_id, api_id])

    ingest = await socket("/ws/v1/ingest/", ingest_secret).connect()
    notifications = await socket("/ws/v1/notifications/", api_secret).connect()

    assert (ingest, notifications) == ((False, CLOSE_TOKEN_REVOKED), (False, CLOSE_TOKEN_REVOKED))
    assert ingest_id not in watch.sockets
    assert api_id not in watch.sockets


async def test_the_watch_forgets_revocations_after_the_remembered_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = revocation_watch()
    assert watch is not None
    clock = [1_000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    watch.tokens_revoked([1])

    clock[0] += revocations.REMEMBERED_SECONDS + 1
    watch.tokens_revoked([2])

    assert watch.was_revoked(2)
    assert not watch.was_revoked(1)


async def test_a_revocation_while_a_batch_is_stored_closes_without_a_reply(
    consenting_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_id, secret = await new_token(consenting_user, TokenScope.INGEST)
    workout = await database_sync_to_async(WorkoutFactory.create)(user=consenting_user)
    ws = await opened("/ws/v1/ingest/", secret)
    watch = revocation_watch()
    assert watch is not None
    from devices import ingest_writer

    real_store = ingest_writer.batch_store

    async def store_then_revoked(batch: Any) -> bool:
        stored = await real_store(batch)
        watch.tokens_revoked([token_id])  # the revocation arrives while the batch is stored
        await asyncio.sleep(0.05)  # and the socket is closed before the write returns
        return stored

    monkeypatch.setattr(ingest_writer, "batch_store", store_then_revoked)

    await ws.send_json_to(
        {"type": "samples", "workout_id": workout.pk, "device": "strap", "seq": 1,
         "samples": hr_samples(1_764_000_000.0, 1)}
    )  # fmt: skip

    assert await ws.receive_output(timeout=2) == CLOSED_REVOKED
    assert await ws.receive_nothing(timeout=0.3)
