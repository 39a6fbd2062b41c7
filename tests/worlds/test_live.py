"""The world ticker's delivery to local spectator sockets, and ticks across server processes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from pytest_django.fixtures import Settings

from tests.factories import WorkoutFactory
from tests.helpers import channel_layer
from tests.worlds.factories import WorldFactory
from wellness.core.groups import workout_group
from wellness.people.models import User
from worlds import services
from worlds.live import WorldTicker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_ticks(settings: Settings) -> None:
    settings.WORLDS_TICK_SECONDS = 0.05


class Socket:
    """What the ticker writes to: an ASGI ``send`` that records text frames."""

    def __init__(self, *, broken: bool = False) -> None:
        self.frames: list[str] = []
        self.broken = broken

    async def send(self, message: dict[str, Any]) -> None:
        if self.broken:
            raise OSError("the client went away")
        self.frames.append(message["text"])


async def test_ticks_wait_until_the_snapshot_is_out_then_follow_in_order() -> None:
    ticker = WorldTicker(world_id=1)
    socket = Socket()
    spectator = ticker.watch(socket.send)

    await ticker.deliver("tick 1")
    await ticker.deliver("tick 2")
    held_back = list(socket.frames)
    socket.frames.append("snapshot")  # what the consumer sends before going live
    await ticker.live(spectator)
    await ticker.deliver("tick 3")

    assert held_back == []
    assert socket.frames == ["snapshot", "tick 1", "tick 2", "tick 3"]


async def test_a_socket_that_fails_is_dropped_and_the_others_still_get_the_tick() -> None:
    ticker = WorldTicker(world_id=1)
    sockets = [Socket(), Socket(broken=True), Socket()]
    for socket in sockets:
        await ticker.live(ticker.watch(socket.send))

    await ticker.deliver("tick 1")
    sockets[1].broken = False
    await ticker.deliver("tick 2")

    assert [s.frames for s in sockets] == [["tick 1", "tick 2"], [], ["tick 1", "tick 2"]]
    assert len(ticker.spectators) == 2


async def test_an_unwatched_socket_gets_nothing_more() -> None:
    ticker = WorldTicker(world_id=1)
    socket = Socket()
    spectator = ticker.watch(socket.send)
    await ticker.live(spectator)

    ticker.unwatch(spectator)
    await ticker.deliver("tick 1")

    assert socket.frames == []


async def test_each_server_process_ticker_delivers_every_tick_and_event_once_to_its_spectators(
    consenting_user: User,
) -> None:
    # Two tickers of one world stand for two server processes: both hear the batch once, one of
    # them applies it (the other finds it applied), and both spectators see the landmark.
    world = await database_sync_to_async(WorldFactory.create)(
        length_m=200, landmarks=[{"name": "Bridge", "distance_m": 5}]
    )
    workout_id = (await database_sync_to_async(WorkoutFactory.create)(user=consenting_user)).pk
    session = await database_sync_to_async(services.session_start)(
        user=consenting_user, world_id=world.pk, workout_id=workout_id, sport="run"
    )
    processes = [WorldTicker(world.pk), WorldTicker(world.pk)]
    sockets = [Socket(), Socket()]
    for ticker, socket in zip(processes, sockets, strict=True):
        await ticker.start()
        await ticker.live(ticker.watch(socket.send))

    await channel_layer().group_send(
        workout_group(workout_id),
        {
            "type": "workout.samples",
            "workout_id": workout_id,
            "user_id": consenting_user.pk,
            "samples": [{"t": float(t), "speed": 2.0} for t in range(6)],
        },
    )
    await asyncio.sleep(0.5)  # several ticks
    for ticker in processes:
        await ticker.stop()

    frames = [[json.loads(f) for f in s.frames] for s in sockets]
    rows = [[row for f in fs for row in f["avatars"]] for fs in frames]
    events = [[(e["id"], e["kind"], e["name"]) for f in fs for e in f["events"]] for fs in frames]
    assert rows == [[[session.pk, 10.0, 2.0, 5.0, 1, 0.0]]] * 2
    assert events == [[(session.pk, "landmark", "Bridge")]] * 2
