"""Live worlds across processes: samples published on channels-redis move avatars in uvicorn."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from asgiref.sync import async_to_sync

from tests.factories import WorkoutFactory
from tests.helpers import channel_layer
from tests.servers import AsgiServer
from tests.worlds.factories import WorldFactory
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from worlds import services
from worlds.models import AvatarSession, SessionEvent

pytestmark = pytest.mark.integration


def test_samples_published_through_redis_move_the_avatar_a_spectator_watches(
    asgi_server: AsgiServer, consenting_user: User, other_user: User
) -> None:
    world = WorldFactory.create(
        length_m=300, landmarks=[{"name": "Fountain", "distance_m": 100, "story": "Cold water."}]
    )
    session = services.session_start(
        user=consenting_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=consenting_user).pk,
        sport="run",
    )
    _, secret = access_token_create(user=other_user, name="viewer", scope=TokenScope.API)
    batch = [{"t": 1_700_000_000.0 + i, "hr": 150, "speed": 4.0} for i in range(31)]

    async def watch() -> tuple[dict[str, Any], dict[str, Any]]:
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/v1/worlds/{world.pk}/",
            additional_headers={"Authorization": f"Bearer {secret}"},
        ) as ws:
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            # As the ingest consumer does; re-sending is harmless (idempotent by sample time).
            for _ in range(20):
                await channel_layer().group_send(
                    f"workout-{session.workout_id}",
                    {"type": "workout.samples", "workout_id": session.workout_id,
                     "user_id": consenting_user.pk, "samples": batch},
                )  # fmt: skip
                try:
                    return snapshot, json.loads(await asyncio.wait_for(ws.recv(), timeout=1.5))
                except TimeoutError:
                    continue
        raise AssertionError(f"no tick arrived; see {asgi_server.log_path}")

    snapshot, tick = async_to_sync(watch)()

    assert [a["id"] for a in snapshot["avatars"]] == [session.pk]
    (avatar,) = (dict(zip(snapshot["columns"], row, strict=True)) for row in tick["avatars"])
    assert avatar["d"] == pytest.approx(120.0, abs=0.5)
    assert [(e["id"], e["kind"]) for e in tick["events"]] == [(session.pk, "landmark")]
    assert AvatarSession.objects.get(pk=session.pk).distance_m == pytest.approx(120.0, abs=0.5)
    assert list(SessionEvent.objects.values_list("kind", "distance_m")) == [("landmark", 100.0)]
