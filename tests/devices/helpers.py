"""The live-ingest socket as the ingest tests drive it: a token, a workout, a connection, a batch."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories import WorkoutFactory, hr_samples
from wellness.config.asgi import application
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.workouts.models import SampleBatch, Workout

PATH = "/ws/v1/ingest/"
T0 = 1_764_000_000.0


@database_sync_to_async
def new_token(user: User, scope: str = TokenScope.INGEST) -> tuple[int, str]:
    token, raw = access_token_create(user=user, name="bridge", scope=scope)
    return token.pk, raw


@database_sync_to_async
def new_workout(user: User) -> Workout:
    return WorkoutFactory.create(user=user)


@database_sync_to_async
def batch_count() -> int:
    return SampleBatch.objects.count()


async def connected(user: User) -> WebsocketCommunicator:
    _, secret = await new_token(user)
    ws = WebsocketCommunicator(
        application, PATH, headers=[(b"authorization", f"Bearer {secret}".encode())]
    )
    is_open, _ = await ws.connect()
    assert is_open
    return ws


def samples_message(workout_id: int, seq: int, samples: Any = None) -> dict[str, Any]:
    return {
        "type": "samples",
        "workout_id": workout_id,
        "device": "strap-1",
        "seq": seq,
        "samples": samples if samples is not None else hr_samples(T0 + seq, 1),
    }
