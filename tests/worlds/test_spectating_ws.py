"""Spectating ``/ws/v1/worlds/<id>/``: live samples move avatars, one frame per tick, privacy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pytest_django.fixtures import Settings

from tests.factories import UserFactory, WorkoutFactory
from tests.helpers import channel_layer
from tests.worlds.factories import WorldFactory
from wellness.config.asgi import application
from wellness.core.groups import user_group
from wellness.people.models import User
from wellness.people.services import access_token_create
from wellness.people.websocket import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED
from worlds import services
from worlds.live import run_for_live_sessions
from worlds.models import AvatarSession, SessionEvent, World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_ticks(settings: Settings) -> None:
    settings.WORLDS_TICK_SECONDS = 0.05


@database_sync_to_async
def token_for(user: User) -> str:
    return access_token_create(user=user, name="viewer", scope="api")[1]


@database_sync_to_async
def world_with_landmark(**kw: Any) -> World:
    return WorldFactory.create(
        length_m=200,
        landmarks=[{"name": "Old mill", "distance_m": 50, "story": "Ground flour till 1950."}],
        **kw,
    )


@database_sync_to_async
def start(user: User, world: World) -> AvatarSession:
    """The person opens a workout and brings it into the world."""
    return services.session_start(
        user=user, world_id=world.pk, workout_id=WorkoutFactory.create(user=user).pk, sport="run"
    )


async def spectate(world: World, user: User, origin: str | None = None) -> WebsocketCommunicator:
    headers = [(b"authorization", f"Bearer {await token_for(user)}".encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, f"/ws/v1/worlds/{world.pk}/", headers=headers)


async def watch(world: World, user: User) -> WebsocketCommunicator:
    """A spectator connected and past the snapshot."""
    ws = await spectate(world, user)
    await ws.connect()
    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"
    return ws


def samples(start_t: float, seconds: int, speed: float) -> list[dict[str, float]]:
    return [{"t": start_t + i, "speed": speed} for i in range(seconds + 1)]


def rows(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """A tick's compact avatar rows as dicts, by the snapshot's column names."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in frame["avatars"]]


COLUMNS = ["id", "d", "v", "t", "lap", "grade"]


async def publish(workout_id: int, user_id: int, batch: list[dict[str, float]]) -> None:
    """What the ingest consumer does with each stored batch (the shared contract)."""
    await channel_layer().group_send(
        f"workout-{workout_id}",
        {"type": "workout.samples", "workout_id": workout_id, "user_id": user_id, "samples": batch},
    )


async def test_live_samples_move_the_avatar_and_spectators_see_it_with_landmark_events(
    consenting_user: User, other_user: User
) -> None:
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    ws = await spectate(world, other_user)
    connected, _ = await ws.connect()
    snapshot = await ws.receive_json_from(timeout=2)

    await publish(session.workout_id, consenting_user.pk, samples(1_700_000_000.0, 20, speed=5.0))
    tick = await ws.receive_json_from(timeout=2)

    assert connected
    assert snapshot["columns"] == COLUMNS
    assert [a["d"] for a in snapshot["avatars"]] == [0.0]
    assert tick["type"] == "tick"
    (avatar,) = rows(tick)
    assert avatar["id"] == session.pk
    assert avatar["d"] == pytest.approx(100.0, abs=0.5)
    assert (avatar["v"], avatar["t"], avatar["lap"]) == (5.0, 1_700_000_020.0, 1)
    mill = await database_sync_to_async(lambda: world.landmarks.get().pk)()
    assert tick["events"] == [
        {"id": session.pk, "kind": "landmark", "landmark_id": mill, "name": "Old mill", "lap": 1}
    ]
    assert [(a["id"], a["name"]) for a in tick["joined"]] == [
        (session.pk, consenting_user.profile.display_name)
    ]
    stored = await database_sync_to_async(
        lambda: (
            AvatarSession.objects.get(pk=session.pk).distance_m,
            list(SessionEvent.objects.values_list("kind", "distance_m")),
        )
    )()
    assert stored[0] == pytest.approx(100.0, abs=0.5)
    assert stored[1] == [("landmark", 50.0)]
    await ws.disconnect()


async def test_many_batches_reach_a_spectator_in_fewer_frames_one_per_tick(
    consenting_user: User, other_user: User, settings: Settings
) -> None:
    settings.WORLDS_TICK_SECONDS = 1.0
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    ws = await watch(world, other_user)

    for second in range(5):
        await publish(
            session.workout_id, consenting_user.pk, samples(1_000.0 + second, 0, speed=2.0)
        )
    frames = [await ws.receive_json_from(timeout=2)]
    while not await ws.receive_nothing(timeout=1.5):
        frames.append(await ws.receive_json_from(timeout=2))

    # Five batches applied within a second: one frame per tick, never one per batch.
    assert 1 <= len(frames) <= 2
    assert all(len(frame["avatars"]) == 1 for frame in frames)
    assert rows(frames[-1])[0]["d"] == pytest.approx(8.0)
    await ws.disconnect()


async def test_the_athlete_is_told_of_the_landmark_on_their_notification_socket(
    consenting_user: User, other_user: User
) -> None:
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    ws = await watch(world, other_user)
    layer = channel_layer()
    inbox = await layer.new_channel()
    await layer.group_add(user_group(consenting_user.pk), inbox)

    await publish(session.workout_id, consenting_user.pk, samples(0.0, 12, speed=5.0))
    message = await layer.receive(inbox)

    assert message["event"]["kind"] == "world.landmark"
    assert message["event"]["name"] == "Old mill"
    await ws.disconnect()


async def test_a_private_athlete_appears_under_their_pseudonym(other_user: User) -> None:
    athlete = await database_sync_to_async(UserFactory.create)(
        consented=True, profile__visibility="private", profile__pseudonym="Night Owl"
    )
    world = await world_with_landmark()
    session = await start(athlete, world)
    ws = await spectate(world, other_user)
    await ws.connect()

    snapshot = await ws.receive_json_from(timeout=2)
    await publish(session.workout_id, athlete.pk, samples(0.0, 3, speed=3.0))
    tick = await ws.receive_json_from(timeout=2)

    assert [a["name"] for a in snapshot["avatars"]] == ["Night Owl"]
    assert [a["name"] for a in tick["joined"]] == ["Night Owl"]
    await ws.disconnect()


async def test_an_athlete_out_of_live_worlds_is_not_shown_but_still_moves(other_user: User) -> None:
    athlete = await database_sync_to_async(UserFactory.create)(
        consented=True, profile__show_in_live_worlds=False
    )
    world = await world_with_landmark()
    session = await start(athlete, world)
    ws = await spectate(world, other_user)
    await ws.connect()

    snapshot = await ws.receive_json_from(timeout=2)
    await publish(session.workout_id, athlete.pk, samples(0.0, 4, speed=3.0))
    tick = await ws.receive_json_from(timeout=2)

    assert snapshot["avatars"] == []
    assert (tick["avatars"], tick["gone"]) == ([], [session.pk])
    moved = await database_sync_to_async(
        lambda: AvatarSession.objects.get(pk=session.pk).distance_m
    )()
    assert moved == pytest.approx(12.0)
    await ws.disconnect()


async def test_a_spectator_from_another_origin_is_refused(user: User) -> None:
    world = await world_with_landmark()
    ws = await spectate(world, user, origin="https://evil.example")

    connected, _ = await ws.connect()

    assert connected is False


async def test_the_same_spectator_from_the_sites_own_origin_is_let_in(user: User) -> None:
    world = await world_with_landmark()
    ws = await spectate(world, user, origin="http://localhost:8000")

    connected, _ = await ws.connect()

    assert connected is True
    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"
    await ws.disconnect()


async def test_a_private_world_one_was_not_invited_to_is_refused(
    user: User, other_user: User
) -> None:
    world = await world_with_landmark(owner=user, visibility="private")
    ws = await spectate(world, other_user)

    connected, code = await ws.connect()

    assert (connected, code) == (False, CLOSE_NOT_FOUND)


async def test_an_invited_spectator_may_watch_a_private_world(user: User, other_user: User) -> None:
    world = await world_with_landmark(owner=user, visibility="private")
    await database_sync_to_async(services.world_invite)(
        owner=user, world_id=world.pk, email=other_user.email
    )
    ws = await spectate(world, other_user)

    connected, _ = await ws.connect()

    assert connected is True
    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"
    await ws.disconnect()


async def test_an_anonymous_spectator_is_refused() -> None:
    world = await world_with_landmark()
    ws = WebsocketCommunicator(application, f"/ws/v1/worlds/{world.pk}/")

    connected, code = await ws.connect()

    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_the_headless_runner_moves_avatars_nobody_watches(consenting_user: User) -> None:
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    runner = asyncio.create_task(run_for_live_sessions(seconds=1.0, poll_seconds=0.1))
    await asyncio.sleep(0.3)

    await publish(session.workout_id, consenting_user.pk, samples(0.0, 10, speed=2.0))
    await runner

    moved = await database_sync_to_async(
        lambda: AvatarSession.objects.get(pk=session.pk).distance_m
    )()
    assert moved == pytest.approx(20.0)


async def test_avatar_states_computed_elsewhere_reach_spectators_on_the_next_tick(
    other_user: User,
) -> None:
    world = await world_with_landmark()
    ws = await watch(world, other_user)

    replayed = {"id": 900, "name": "Replay", "d": 12.5, "v": 2.5, "t": 5.0, "lap": 1, "grade": 0.0}
    await channel_layer().group_send(
        f"world-{world.pk}", {"type": "world.avatars", "avatars": [replayed]}
    )
    tick = await ws.receive_json_from(timeout=2)

    assert tick["avatars"] == [[900, 12.5, 2.5, 5.0, 1, 0.0]]
    assert tick["joined"] == [replayed]
    await ws.disconnect()


async def test_another_persons_batch_for_the_workout_does_not_move_the_avatar(
    consenting_user: User, other_user: User
) -> None:
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    ws = await watch(world, other_user)

    await publish(session.workout_id, other_user.pk, samples(0.0, 12, speed=5.0))
    nothing_sent = await ws.receive_nothing(timeout=0.5)
    await publish(session.workout_id, consenting_user.pk, samples(100.0, 2, speed=1.0))
    tick = await ws.receive_json_from(timeout=2)

    assert nothing_sent
    # Only the person's own two seconds at 1 m/s: not the other batch's 60 m past the mill.
    assert [(a["id"], a["d"]) for a in rows(tick)] == [(session.pk, 2.0)]
    assert tick["events"] == []
    stored = await database_sync_to_async(
        lambda: (AvatarSession.objects.get(pk=session.pk).distance_m, SessionEvent.objects.count())
    )()
    distance_m, events = stored
    assert distance_m == pytest.approx(2.0)
    assert events == 0
    await ws.disconnect()


async def test_every_spectator_gets_each_tick_once_and_one_who_left_does_not_stop_the_others(
    consenting_user: User, user: User, other_user: User
) -> None:
    world = await world_with_landmark()
    session = await start(consenting_user, world)
    viewers = [await watch(world, who) for who in (user, other_user, other_user)]
    leaving, *staying = viewers
    await leaving.disconnect()

    await publish(session.workout_id, consenting_user.pk, samples(0.0, 4, speed=3.0))
    ticks = [await ws.receive_json_from(timeout=2) for ws in staying]

    assert [[(a["id"], a["d"]) for a in rows(t)] for t in ticks] == [[(session.pk, 12.0)]] * 2
    assert ticks[0] == ticks[1]  # the same frame, encoded once
    for ws in staying:
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()
