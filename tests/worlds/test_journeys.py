"""Journeys: scored workouts advance them once each, unlock postcards, and move communities."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from tests.worlds.factories import WorldFactory
from wellness.people.models import User
from wellness.scoring.handoff import ScoredWorkout
from worlds import services
from worlds.models import Journey, JourneyProgress, Postcard

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)


def scored(user: User, workout_id: int, effort_distance_m: float, **kw: Any) -> ScoredWorkout:
    base = ScoredWorkout(
        workout_id=workout_id, user_id=user.pk, sport="yoga", indoor=True, started_at=START,
        ended_at=START + dt.timedelta(hours=1), duration_s=3600, moving_time_s=0, distance_m=0,
        elevation_gain_m=0, active_minutes=60, zone_minutes=(60, 0, 0, 0, 0), training_load=30,
        mindful_minutes=60, calories_kcal=200, points=50, effort_distance_m=effort_distance_m,
        counts_for_leaderboards=True,
    )  # fmt: skip
    return replace(base, **kw)


def two_stage_journey() -> Journey:
    first = WorldFactory.create(
        name="Valley", length_m=1_000, climb_per_m=0.01,
        landmarks=[{"name": "Bridge", "distance_m": 600, "story": "Stone, 1820."}],
    )  # fmt: skip
    second = WorldFactory.create(
        name="Pass", length_m=2_000, climb_per_m=0.05,
        landmarks=[{"name": "Summit hut", "distance_m": 2_000, "story": "Tea at the top."}],
    )  # fmt: skip
    return services.journey_create(
        name="Alpine traverse", description="", world_ids=[first.pk, second.pk]
    )


def test_a_scored_workout_advances_the_journey_by_its_effort_distance(user: User) -> None:
    journey = two_stage_journey()
    progress = services.journey_join(user=user, journey_id=journey.pk)

    services.journeys_advance_many(scored=[scored(user, 1, 700.0)])

    progress.refresh_from_db()
    assert progress.distance_m == 700.0
    assert list(Postcard.objects.values_list("landmark__name", "journey_distance_m")) == [
        ("Bridge", 600.0)
    ]


def test_the_same_workout_handed_over_twice_advances_once(user: User) -> None:
    journey = two_stage_journey()
    progress = services.journey_join(user=user, journey_id=journey.pk)

    services.journeys_advance_many(scored=[scored(user, 1, 700.0)])
    services.journeys_advance_many(scored=[scored(user, 1, 700.0)])

    progress.refresh_from_db()
    assert progress.distance_m == 700.0
    assert Postcard.objects.count() == 1


def test_a_postcard_carries_the_story_and_the_profile_so_far(client_for: Any, user: User) -> None:
    journey = two_stage_journey()
    services.journey_join(user=user, journey_id=journey.pk)

    services.journeys_advance_many(scored=[scored(user, 1, 3_100.0)])
    cards = client_for(user).get("/api/v1/worlds/postcards/").json()["results"]

    assert [(c["landmark"], c["story"], c["journey_distance_m"]) for c in cards] == [
        ("Bridge", "Stone, 1820.", 600.0),
        ("Summit hut", "Tea at the top.", 3_000.0),
    ]
    assert cards[0]["elevation_profile"][-1][0] == 600.0
    assert cards[1]["elevation_profile"][-1] == [3_000.0, pytest.approx(200.0, abs=3)]


def test_reaching_the_end_completes_the_journey(user: User) -> None:
    journey = two_stage_journey()
    progress = services.journey_join(user=user, journey_id=journey.pk)

    services.journeys_advance_many(scored=[scored(user, 1, 2_000.0)])
    services.journeys_advance_many(scored=[scored(user, 2, 2_000.0)])

    progress.refresh_from_db()
    assert progress.distance_m == 4_000.0
    assert progress.completed_at is not None


def test_a_community_travels_by_its_members_workouts(user: User, other_user: User) -> None:
    journey = two_stage_journey()
    services.journey_join(user=user, journey_id=journey.pk, community_id=5)
    services.journey_join(user=other_user, journey_id=journey.pk, community_id=5)

    services.journeys_advance_many(scored=[scored(user, 1, 400.0)])
    services.journeys_advance_many(scored=[scored(other_user, 2, 300.0)])
    services.journeys_advance_many(scored=[scored(other_user, 2, 300.0)])

    community = JourneyProgress.objects.get(journey=journey, community_id=5)
    assert community.distance_m == 700.0
    assert community.postcards.count() == 1


def test_a_flagged_workout_moves_its_person_but_not_the_community(user: User) -> None:
    journey = two_stage_journey()
    progress = services.journey_join(user=user, journey_id=journey.pk, community_id=5)

    services.journeys_advance_many(scored=[scored(user, 1, 400.0, counts_for_leaderboards=False)])

    progress.refresh_from_db()
    assert progress.distance_m == 400.0
    assert JourneyProgress.objects.filter(community_id=5).exists() is False


def test_journey_progress_of_another_person_is_not_found(
    client_for: Any, user: User, other_user: User
) -> None:
    journey = two_stage_journey()
    progress = services.journey_join(user=user, journey_id=journey.pk)
    services.journeys_advance_many(scored=[scored(user, 1, 700.0)])
    card = Postcard.objects.get()
    client = client_for(other_user)

    assert client.get(f"/api/v1/worlds/journey-progress/{progress.pk}/").status_code == 404
    assert client.get(f"/api/v1/worlds/postcards/{card.pk}/").status_code == 404
    assert client.get("/api/v1/worlds/journey-progress/").json()["count"] == 0
    assert client.get("/api/v1/worlds/postcards/").json()["count"] == 0


def test_joining_a_journey_through_the_api(client_for: Any, user: User) -> None:
    journey = two_stage_journey()
    client = client_for(user)

    listed = client.get("/api/v1/worlds/journeys/").json()["results"]
    joined = client.post(f"/api/v1/worlds/journeys/{journey.pk}/join/", {"community_id": 3})

    assert [(s["name"], s["distance_m"]) for s in listed[0]["stages"]] == [
        ("Valley", 1_000.0),
        ("Pass", 2_000.0),
    ]
    assert joined.status_code == 201
    assert joined.json()["travels_with_community_id"] == 3
    assert client.post("/api/v1/worlds/journeys/999999/join/").status_code == 404


def test_a_bad_community_id_is_refused_and_nothing_joined(client_for: Any, user: User) -> None:
    journey = two_stage_journey()

    response = client_for(user).post(
        f"/api/v1/worlds/journeys/{journey.pk}/join/", {"community_id": -1}
    )

    assert response.status_code == 400
    assert JourneyProgress.objects.count() == 0
