"""The scale-out path: PostgreSQL, channels-redis, a real Celery worker and uvicorn processes."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websockets
import websockets.exceptions
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection

from tests.factories import WorkoutFactory, hr_samples
from tests.helpers import channel_layer
from tests.servers import AsgiServer, CeleryWorker, asgi_server_start, asgi_server_stop
from wellness.core.groups import user_group
from wellness.people.models import Profile, TokenScope, User
from wellness.people.services import (
    access_token_create,
    access_token_revoke,
    consent_withdraw,
    profile_update,
)
from wellness.people.websocket import CLOSE_TOKEN_REVOKED

pytestmark = pytest.mark.integration


def test_runs_on_postgresql(db: None) -> None:
    assert connection.vendor == "postgresql"


def test_erasure_is_done_by_a_real_celery_worker(
    celery_worker: CeleryWorker, consenting_user: User
) -> None:
    profile_update(user=consenting_user, changes={"weight_kg": 70, "max_heart_rate": 190})

    consent_withdraw(user=consenting_user, erase_health_data=True)

    deadline = time.monotonic() + 30
    while Profile.objects.get(user=consenting_user).weight_kg is not None:
        assert time.monotonic() < deadline, f"worker did not erase; see {celery_worker.log_path}"
        time.sleep(0.2)
    assert Profile.objects.get(user=consenting_user).max_heart_rate is None


def test_uvicorn_serves_http_and_websockets_on_one_port_through_redis(
    asgi_server: AsgiServer, user: User
) -> None:
    _, secret = access_token_create(user=user, name="cli", scope=TokenScope.API)
    request = urllib.request.Request(
        f"{asgi_server.http_url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["email"] == user.email

    async def receive_notification() -> dict[str, str]:
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/v1/notifications/",
            additional_headers={"Authorization": f"Bearer {secret}"},
        ) as ws:
            # The server subscribes asynchronously; publish until the event comes through.
            for _ in range(50):
                await channel_layer().group_send(
                    user_group(user.pk), {"type": "notify", "event": {"kind": "level", "level": 2}}
                )
                try:
                    event: dict[str, str] = json.loads(
                        await asyncio.wait_for(ws.recv(), timeout=0.2)
                    )
                    return event
                except TimeoutError:
                    continue
        raise AssertionError("no notification arrived through Redis")

    assert async_to_sync(receive_notification)() == {"kind": "level", "level": 2}


def test_websocket_from_a_foreign_origin_is_refused_by_the_real_server(
    asgi_server: AsgiServer, user: User
) -> None:
    _, secret = access_token_create(user=user, name="cli", scope=TokenScope.API)

    async def connect() -> None:
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/v1/notifications/",
            additional_headers={"Authorization": f"Bearer {secret}"},
            origin="https://evil.example",  # type: ignore[arg-type]
        ):
            pass

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async_to_sync(connect)()
    assert refused.value.response.status_code == 403


def test_revoking_a_token_closes_its_sockets_in_every_server_process_and_no_others(
    asgi_server: AsgiServer, consenting_user: User, other_user: User, tmp_path: Path
) -> None:
    second = asgi_server_start(tmp_path / "uvicorn-2.log")
    try:
        revoked, revoked_secret = access_token_create(
            user=consenting_user, name="bridge", scope=TokenScope.INGEST
        )
        _, kept_secret = access_token_create(
            user=other_user, name="bridge", scope=TokenScope.INGEST
        )
        workout = WorkoutFactory.create(user=other_user)

        async def scenario() -> tuple[list[int | None], list[str]]:
            def connect(server: AsgiServer, secret: str) -> Any:
                return websockets.connect(
                    f"{server.ws_url}/ws/v1/ingest/",
                    additional_headers={"Authorization": f"Bearer {secret}"},
                )

            servers = (asgi_server, second)
            doomed = [await connect(server, revoked_secret) for server in servers]
            kept = [await connect(server, kept_secret) for server in servers]
            # Each socket is accepted only once its process's watch is subscribed.
            await sync_to_async(access_token_revoke)(user=consenting_user, token_id=revoked.pk)
            codes: list[int | None] = []
            for ws in doomed:
                with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), timeout=5)
                codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
            replies: list[str] = []
            for seq, ws in enumerate(kept, start=1):
                batch = {
                    "type": "samples", "workout_id": workout.pk, "device": "strap",
                    "seq": seq, "samples": hr_samples(1_764_000_000.0 + seq, 1),
                }  # fmt: skip
                await ws.send(json.dumps(batch))
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"])
                await ws.close()
            return codes, replies

        codes, replies = async_to_sync(scenario)()
    finally:
        asgi_server_stop(second)

    assert codes == [CLOSE_TOKEN_REVOKED, CLOSE_TOKEN_REVOKED]
    assert replies == ["ack", "ack"]
