"""Worlds' part of the export, and erasure of avatar sessions with the person's health data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD, WorkoutFactory
from tests.helpers import ClientFor
from tests.worlds.factories import WorldFactory
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.selectors import user_export
from wellness.scoring.handoff import ScoredWorkout
from worlds import services as worlds_services
from worlds.models import AvatarSession, JourneyAdvance, JourneyProgress, Postcard, World

pytestmark = pytest.mark.django_db


def test_the_export_lists_avatar_sessions_with_their_events(consenting_user: User) -> None:
    world = WorldFactory.create(length_m=100)
    workout_id = WorkoutFactory.create(user=consenting_user).pk
    session = worlds_services.session_start(
        user=consenting_user, world_id=world.pk, workout_id=workout_id, sport="walk"
    )
    worlds_services.avatars_advance(
        world_id=world.pk,
        batches={session.pk: [{"t": float(t), "speed": 2.0} for t in range(60)]},
    )

    exported = user_export(user=consenting_user)["worlds"]

    (entry,) = exported["avatar_sessions"]
    assert (entry["workout_id"], entry["status"], entry["distance_m"]) == (
        workout_id,
        "finished",
        100.0,
    )
    assert entry["events"] == [{"kind": "finish", "t": 50.0, "time_s": 50.0}]


def test_erasing_health_data_deletes_avatar_sessions(
    consenting_user: User, other_user: User
) -> None:
    world = WorldFactory.create()
    mine = worlds_services.session_start(
        user=consenting_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=consenting_user).pk,
        sport="run",
    )
    worlds_services.avatars_advance(
        world_id=world.pk, batches={mine.pk: [{"t": 0.0}, {"t": 1.0, "hr": 150}]}
    )
    theirs = worlds_services.session_start(
        user=other_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=other_user).pk,
        sport="run",
    )

    health_data_erase(user_id=consenting_user.pk)

    assert list(AvatarSession.objects.values_list("pk", flat=True)) == [theirs.pk]


def _journey_of_two_worlds(owner: User | None = None) -> Any:
    first = WorldFactory.create(owner=owner, name="Valley", length_m=1_000)
    second = WorldFactory.create(name="Pass", length_m=2_000)
    return worlds_services.journey_create(
        name="Alpine traverse", description="", world_ids=[first.pk, second.pk]
    )


def _scored(user: User, workout_id: int, distance: float) -> ScoredWorkout:
    start = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
    return ScoredWorkout(
        workout_id=workout_id, user_id=user.pk, sport="run", indoor=False, started_at=start,
        ended_at=start + dt.timedelta(hours=1), duration_s=3600, moving_time_s=3600,
        distance_m=distance, elevation_gain_m=0, active_minutes=60, zone_minutes=(0, 60, 0, 0, 0),
        training_load=30, mindful_minutes=0, calories_kcal=400, points=50,
        effort_distance_m=distance, counts_for_leaderboards=True,
    )  # fmt: skip


def test_erasure_removes_journey_progress_its_ledger_and_the_community_share(
    consenting_user: User, other_user: User
) -> None:
    journey = _journey_of_two_worlds()
    worlds_services.journey_join(user=consenting_user, journey_id=journey.pk, community_id=7)
    worlds_services.journey_join(user=other_user, journey_id=journey.pk, community_id=7)
    worlds_services.journeys_advance_many(
        scored=[_scored(consenting_user, 501, 700.0), _scored(other_user, 502, 300.0)]
    )

    health_data_erase(user_id=consenting_user.pk)
    health_data_erase(user_id=consenting_user.pk)

    community = JourneyProgress.objects.get(community_id=7)
    assert community.distance_m == pytest.approx(300.0)
    assert list(community.advances.values_list("workout_id", flat=True)) == [502]
    assert not JourneyProgress.objects.filter(user=consenting_user).exists()
    assert not JourneyAdvance.objects.filter(workout_id=501).exists()
    assert not Postcard.objects.filter(progress__user=consenting_user).exists()
    assert JourneyProgress.objects.get(user=other_user).distance_m == pytest.approx(300.0)


def test_deleting_the_owner_of_a_journeys_stage_world_keeps_the_world_detached(
    client_for: ClientFor, consenting_user: User
) -> None:
    journey = _journey_of_two_worlds(owner=consenting_user)
    own_world = WorldFactory.create(owner=consenting_user, name="My loop")

    response = client_for(consenting_user).delete(
        "/api/v1/me/", {"password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    stage_world = journey.stages.get(order=0).world
    assert (stage_world.name, stage_world.owner_id) == ("Valley", None)
    assert not World.objects.filter(pk=own_world.pk).exists()
