"""Issue 7's acceptance: simulated samples streamed through the real ingest consumer (uvicorn,
channels-redis, PostgreSQL) move an avatar in a world to the right place, with its landmarks."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import websockets
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.utils import timezone

from devices import simulator
from devices.profiles import PROFILES
from tests.servers import AsgiServer
from tests.worlds.factories import WorldFactory
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.workouts.services import workout_start
from worlds import movement, services
from worlds.models import AvatarSession, SessionEvent

pytestmark = pytest.mark.integration

SECONDS = 90
BATCH = 5  # samples per device per batch, as a bridge sends about every few seconds


def _simulated_batches(start_t: float) -> list[tuple[str, list[dict[str, Any]]]]:
    """A simulated run's decoded samples, per device, cut in batches in the order a bridge sends."""
    athlete = simulator.Athlete(sport="run", seed=11, start_t=start_t)
    by_uuid = {p.characteristic_uuid: p for p in PROFILES}
    decoders: dict[tuple[str, str], Any] = {}
    pending: dict[str, list[dict[str, Any]]] = {}
    batches: list[tuple[str, list[dict[str, Any]]]] = []
    for _ in range(SECONDS):
        for frame in athlete.step(1.0):
            key = (frame.device, frame.characteristic)
            sample = decoders.setdefault(key, by_uuid[frame.characteristic]()).feed(
                frame.data, frame.t
            )
            if sample is not None:
                pending.setdefault(frame.device, []).append(sample)
        if all(len(p) >= BATCH for p in pending.values()):
            batches += [(device, samples) for device, samples in pending.items()]
            pending = {}
    batches += [(device, samples) for device, samples in pending.items() if samples]
    return batches


def _expected_distance(batches: list[tuple[str, list[dict[str, Any]]]]) -> float:
    """The foot pod's speed integrated over time (a flat outdoor route: no gradient effect)."""
    speeds = {s["t"]: s["speed"] for _, samples in batches for s in samples if "speed" in s}
    times = sorted({s["t"] for _, samples in batches for s in samples})
    distance, previous = 0.0, times[0]
    for t in times[1:]:
        if t in speeds:
            distance += speeds[t] * min(t - previous, movement.MAX_STEP_S)
        previous = t
    return distance


def test_simulated_samples_through_the_real_ingest_move_the_avatar_past_its_landmarks(
    asgi_server: AsgiServer, consenting_user: User, other_user: User
) -> None:
    world = WorldFactory.create(
        length_m=1_000,
        landmarks=[
            {"name": "Old mill", "distance_m": 60, "story": "Flour once."},
            {"name": "Stone bridge", "distance_m": 150, "story": "Roman, they say."},
        ],
    )
    start_t = time.time() - SECONDS
    workout = workout_start(
        user=consenting_user, sport="run", indoor=False,
        started_at=timezone.now(), client_id="world-run",
    )  # fmt: skip
    session = services.session_start(
        user=consenting_user, world_id=world.pk, workout_id=workout.pk, sport="run"
    )
    _, ingest_secret = access_token_create(
        user=consenting_user, name="bridge", scope=TokenScope.INGEST
    )
    _, viewer_secret = access_token_create(user=other_user, name="viewer", scope=TokenScope.API)
    batches = _simulated_batches(start_t)
    last_t = max(s["t"] for _, samples in batches for s in samples)

    @database_sync_to_async
    def applied_up_to() -> float | None:
        return AvatarSession.objects.get(pk=session.pk).last_t

    async def run() -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        async with (
            websockets.connect(
                f"{asgi_server.ws_url}/ws/v1/worlds/{world.pk}/",
                additional_headers={"Authorization": f"Bearer {viewer_secret}"},
            ) as viewer,
            websockets.connect(
                f"{asgi_server.ws_url}/ws/v1/ingest/",
                additional_headers={"Authorization": f"Bearer {ingest_secret}"},
            ) as ingest,
        ):
            assert json.loads(await viewer.recv())["type"] == "snapshot"
            await ingest.send(json.dumps({
                "type": "start", "sport": "run", "started_at": start_t, "client_id": "world-run",
            }))  # fmt: skip
            started = json.loads(await asyncio.wait_for(ingest.recv(), timeout=5))
            assert started["workout_id"] == workout.pk
            seqs: dict[str, int] = {}
            for device, samples in batches:
                seqs[device] = seqs.get(device, 0) + 1
                await ingest.send(json.dumps({
                    "type": "samples", "workout_id": workout.pk, "device": device,
                    "seq": seqs[device], "samples": samples,
                }))  # fmt: skip
                ack = json.loads(await asyncio.wait_for(ingest.recv(), timeout=5))
                assert (ack["type"], ack["seq"]) == ("ack", seqs[device])
            deadline = time.monotonic() + 20
            while await applied_up_to() != last_t:
                assert time.monotonic() < deadline, f"avatar stopped; see {asgi_server.log_path}"
                try:
                    tick = json.loads(await asyncio.wait_for(viewer.recv(), timeout=1))
                    events += tick.get("events", [])
                except TimeoutError:
                    continue
        return events

    tick_events = async_to_sync(run)()

    avatar = AvatarSession.objects.get(pk=session.pk)
    assert avatar.distance_m == pytest.approx(_expected_distance(batches), rel=0.01)
    assert 150 < avatar.distance_m < 1_000
    assert list(SessionEvent.objects.filter(session=session).values_list("kind", "distance_m")) == [
        ("landmark", 60.0),
        ("landmark", 150.0),
    ]
    assert [(e["id"], e["kind"], e.get("name")) for e in tick_events] == [
        (session.pk, "landmark", "Old mill"),
        (session.pk, "landmark", "Stone bridge"),
    ]
