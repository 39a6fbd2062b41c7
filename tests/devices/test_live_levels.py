"""Levels rise during a live workout: the ingest socket counts points and announces a new level."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories import WorkoutFactory
from tests.helpers import channel_layer
from wellness.config.asgi import application
from wellness.core.groups import user_group
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.scoring import levels, results
from wellness.scoring.models import Progress
from wellness.workouts.models import Workout

pytestmark = pytest.mark.django_db(transaction=True)

T0 = 1_764_000_000.0
LEVEL_2_XP = levels.xp_for_level(2)


@database_sync_to_async
def given_xp_and_workout(user: User, xp: int) -> Workout:
    Progress.objects.create(user=user, xp=xp, level=levels.level_for_xp(xp))
    return WorkoutFactory.create(user=user, sport="run")


async def connected(user: User) -> WebsocketCommunicator:
    _, secret = await database_sync_to_async(access_token_create)(
        user=user, name="bridge", scope=TokenScope.INGEST
    )
    ws = WebsocketCommunicator(
        application, "/ws/v1/ingest/", headers=[(b"authorization", f"Bearer {secret}".encode())]
    )
    is_open, _ = await ws.connect()
    assert is_open
    return ws


def two_minutes(seq: int) -> dict[str, Any]:
    start = T0 + (seq - 1) * 120
    samples = [{"t": start + i, "hr": 160, "speed": 3.5} for i in range(120)]
    return {"type": "samples", "device": "strap", "seq": seq, "samples": samples}


async def test_crossing_a_level_during_a_live_workout_notifies_the_user(
    consenting_user: User,
) -> None:
    workout = await given_xp_and_workout(consenting_user, LEVEL_2_XP - 1)
    layer = channel_layer()
    inbox = await layer.new_channel()
    await layer.group_add(user_group(consenting_user.pk), inbox)
    ws = await connected(consenting_user)
    batch = two_minutes(1) | {"workout_id": workout.pk}
    expected = levels.LiveEffort(
        athlete=results.Athlete(), sport="run", xp_before=LEVEL_2_XP - 1
    ).feed(batch["samples"])

    await ws.send_json_to(batch)
    await ws.receive_json_from(timeout=2)

    assert expected.levelled_up is True
    assert await asyncio.wait_for(layer.receive(inbox), 2) == {
        "type": "notify",
        "event": {
            "kind": "level",
            "live": True,
            "workout_id": workout.pk,
            "level": 2,
            "xp": expected.xp,
            "points": expected.points,
            "next_level_xp": levels.xp_for_level(3),
        },
    }
    await ws.disconnect()


async def test_a_batch_that_stays_within_the_level_announces_nothing(
    consenting_user: User,
) -> None:
    workout = await given_xp_and_workout(consenting_user, 0)
    layer = channel_layer()
    inbox = await layer.new_channel()
    await layer.group_add(user_group(consenting_user.pk), inbox)
    ws = await connected(consenting_user)

    await ws.send_json_to(two_minutes(1) | {"workout_id": workout.pk})
    await ws.receive_json_from(timeout=2)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(inbox), 0.3)
    await ws.disconnect()
