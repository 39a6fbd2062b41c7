"""A ticker's whole tick at once: live sessions of one world moved in one transaction."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UserFactory, WorkoutFactory
from tests.worlds.factories import WorldFactory
from wellness.people.models import User
from worlds import services
from worlds.models import AvatarSession, SessionEvent, World

pytestmark = pytest.mark.django_db


def runners(world: World, count: int) -> list[AvatarSession]:
    people = [UserFactory.create(consented=True) for _ in range(count)]
    return [
        services.session_start(
            user=who, world_id=world.pk, workout_id=WorkoutFactory.create(user=who).pk, sport="run"
        )
        for who in people
    ]


def run(seconds: int, speed: float, start: float = 0.0) -> list[dict[str, float]]:
    return [{"t": start + i, "speed": speed} for i in range(seconds + 1)]


def test_each_session_moves_by_its_own_samples_and_records_its_events() -> None:
    world = WorldFactory.create(length_m=200, landmarks=[{"name": "Gate", "distance_m": 30}])
    slow, fast = runners(world, 2)

    views = services.avatars_advance(
        world_id=world.pk, batches={slow.pk: run(10, 2.0), fast.pk: run(10, 4.0)}
    )

    assert {i: (v["d"], v["v"]) for i, v in views.items()} == {
        slow.pk: (20.0, 2.0),
        fast.pk: (40.0, 4.0),
    }
    # Leaving the start line ahead of the slower runner is not an overtake.
    assert views[fast.pk]["events"] == [
        {"kind": "landmark", "landmark_id": world.landmarks.get().pk, "name": "Gate", "lap": 1}
    ]
    assert views[slow.pk]["events"] == []
    assert dict(AvatarSession.objects.values_list("pk", "distance_m")) == {
        slow.pk: 20.0,
        fast.pk: 40.0,
    }
    assert list(SessionEvent.objects.values_list("session_id", "kind")) == [(fast.pk, "landmark")]


def test_a_tick_costs_the_same_queries_for_two_avatars_as_for_twelve(
    django_assert_max_num_queries: Any,
) -> None:
    world = WorldFactory.create(length_m=5_000)
    few, many = runners(world, 2), runners(world, 12)
    with django_assert_max_num_queries(1_000) as two:
        services.avatars_advance(world_id=world.pk, batches={s.pk: run(3, 3.0) for s in few})

    with django_assert_max_num_queries(len(two.captured_queries)):
        services.avatars_advance(world_id=world.pk, batches={s.pk: run(3, 3.0) for s in many})

    assert set(AvatarSession.objects.values_list("distance_m", flat=True)) == {9.0}


def test_applying_the_same_tick_again_moves_nobody_and_records_nothing_twice() -> None:
    world = WorldFactory.create(length_m=200, landmarks=[{"name": "Gate", "distance_m": 30}])
    (session,) = runners(world, 1)
    services.avatars_advance(world_id=world.pk, batches={session.pk: run(10, 4.0)})

    again = services.avatars_advance(world_id=world.pk, batches={session.pk: run(10, 4.0)})

    assert (again[session.pk]["d"], again[session.pk]["events"]) == (40.0, [])
    assert SessionEvent.objects.count() == 1


def test_passing_a_runner_in_the_same_tick_is_an_overtake() -> None:
    world = WorldFactory.create(length_m=1_000)
    chaser, leader = runners(world, 2)
    services.avatars_advance(
        world_id=world.pk, batches={chaser.pk: run(5, 0.0), leader.pk: run(5, 2.0)}
    )  # the leader is 10 m ahead

    views = services.avatars_advance(
        world_id=world.pk,
        batches={chaser.pk: run(5, 5.0, start=5.0), leader.pk: run(5, 1.0, start=5.0)},
    )

    assert (views[chaser.pk]["d"], views[leader.pk]["d"]) == (25.0, 15.0)
    assert views[chaser.pk]["events"] == [{"kind": "overtake", "other": leader.pk}]
    assert views[leader.pk]["events"] == []


def test_sessions_of_another_world_or_over_are_left_out(consenting_user: User) -> None:
    world, elsewhere = WorldFactory.create(), WorldFactory.create()
    (here,) = runners(world, 1)
    (there,) = runners(elsewhere, 1)
    (over,) = runners(world, 1)
    services.session_finish(user=over.user, session_id=over.pk)

    views = services.avatars_advance(
        world_id=world.pk, batches={s.pk: run(2, 3.0) for s in (here, there, over)}
    )

    assert list(views) == [here.pk]
    assert dict(AvatarSession.objects.values_list("pk", "distance_m")) == {
        here.pk: 6.0,
        there.pk: 0.0,
        over.pk: 0.0,
    }
