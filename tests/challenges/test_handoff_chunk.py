"""A chunk of scored workouts handed over at once ends exactly as the same workouts handed over one
by one: totals, streaks, badges and their announcements, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from challenges import services
from challenges.models import ActivityTotals, AppliedWorkout, BadgeAward, Streak
from challenges.privacy import challenges_health_data_erase
from tests.challenges.factories import ScoredWorkoutFactory
from tests.factories import UserFactory
from tests.helpers import channel_layer
from wellness.core.groups import user_group
from wellness.people.models import User
from wellness.scoring.handoff import ScoredWorkout

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MORNING = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)


def _chunk(people: list[User]) -> list[ScoredWorkout]:
    """Several workouts per person in workout order: gaps, two on one day, yoga, mindful minutes."""
    first, second, third = people[0], people[1], people[2]
    return [
        ScoredWorkoutFactory.build(user=first, started_at=MORNING, distance_m=8000),
        ScoredWorkoutFactory.build(
            user=second, started_at=MORNING, sport="yoga", distance_m=0, mindful_minutes=20
        ),
        ScoredWorkoutFactory.build(user=first, started_at=MORNING + DAY, distance_m=4000),
        ScoredWorkoutFactory.build(
            user=third, started_at=MORNING + 3 * DAY, zone_minutes=(0, 0, 40, 30, 0)
        ),
        ScoredWorkoutFactory.build(
            user=second, started_at=MORNING + DAY, sport="yoga", distance_m=0, mindful_minutes=15
        ),
        ScoredWorkoutFactory.build(
            user=first, started_at=MORNING + DAY + dt.timedelta(hours=9), distance_m=1000
        ),
        ScoredWorkoutFactory.build(
            user=second, started_at=MORNING + 2 * DAY, sport="yoga", distance_m=0
        ),
        ScoredWorkoutFactory.build(user=first, started_at=MORNING + 5 * DAY, distance_m=2500),
        ScoredWorkoutFactory.build(user=third, started_at=MORNING + 20 * DAY, distance_m=12000),
    ]


def _state(people: list[User]) -> dict[str, Any]:
    ids = [p.pk for p in people]
    return {
        "totals": sorted(
            ActivityTotals.objects.filter(user_id__in=ids).values_list(
                "user_id",
                "workouts",
                "distance_m",
                "zone3_minutes",
                "mindful_minutes",
                "challenges_completed",
            )
        ),
        "streaks": sorted(
            Streak.objects.filter(user_id__in=ids).values_list(
                "user_id", "kind", "current", "longest", "last_period"
            )
        ),
        "badges": sorted(
            BadgeAward.objects.filter(user_id__in=ids).values_list("user_id", "badge", "tier")
        ),
        "applied": AppliedWorkout.objects.filter(user_id__in=ids).count(),
    }


def _events(layer: Any, channels: dict[int, str]) -> list[tuple[int, str, Any]]:
    """Every notification waiting for these people, drained: (user, kind, badge or level)."""
    received = []
    for user_id, channel in channels.items():
        queue = layer.channels.get(channel)
        while queue and not queue.empty():
            event = async_to_sync(layer.receive)(channel)["event"]
            received.append((user_id, event["kind"], event.get("badge") or event.get("level")))
    return sorted(received)


def _erase(people: list[User]) -> None:
    for person in people:
        challenges_health_data_erase(person.pk)


def _people() -> list[User]:
    return [UserFactory.create(consented=True) for _ in range(3)]


def test_a_chunk_handed_over_at_once_ends_as_its_workouts_handed_over_one_by_one(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    people = _people()
    layer = channel_layer()
    channels = {p.pk: async_to_sync(layer.new_channel)() for p in people}
    for user_id, channel in channels.items():
        async_to_sync(layer.group_add)(user_group(user_id), channel)
    history = ScoredWorkoutFactory.build(user=people[0], started_at=MORNING - DAY, distance_m=3000)
    chunk = _chunk(people)

    with django_capture_on_commit_callbacks(execute=True):
        services.workouts_scored_apply(scored=[history])
        for workout in chunk:
            services.workouts_scored_apply(scored=[workout])
    one_by_one, events_one_by_one = _state(people), _events(layer, channels)
    _erase(people)
    with django_capture_on_commit_callbacks(execute=True):
        services.workouts_scored_apply(scored=[history])
        services.workouts_scored_apply(scored=chunk)
    at_once, events_at_once = _state(people), _events(layer, channels)

    assert at_once == one_by_one
    assert events_at_once == events_one_by_one
    first, second, third = (p.pk for p in people)
    last_day = (MORNING + 5 * DAY).date().toordinal()
    assert (first, "daily", 1, 3, last_day) in at_once["streaks"]
    assert (second, "yoga_daily", 3, 3, (MORNING + 2 * DAY).date().toordinal()) in at_once[
        "streaks"
    ]
    assert (third, "daily", 1, 1, (MORNING + 20 * DAY).date().toordinal()) in at_once["streaks"]
    assert at_once["totals"][0] == (first, 5, 18500.0, 75.0, 0.0, 0)
    assert (second, "yoga_streak", 1) in at_once["badges"]
    assert (third, "zone_minutes", 1) in at_once["badges"]
    assert (first, "distance", 1) in at_once["badges"]
    assert at_once["applied"] == len(chunk) + 1
    assert sum(1 for e in events_at_once if e[1] == "badge") == len(at_once["badges"])


def test_a_chunk_handed_over_again_changes_nothing_and_announces_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    people = _people()
    layer = channel_layer()
    channels = {p.pk: async_to_sync(layer.new_channel)() for p in people}
    for user_id, channel in channels.items():
        async_to_sync(layer.group_add)(user_group(user_id), channel)
    chunk = _chunk(people)
    with django_capture_on_commit_callbacks(execute=True):
        services.workouts_scored_apply(scored=chunk)
    before = _state(people)
    _events(layer, channels)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.workouts_scored_apply(scored=chunk)

    assert _state(people) == before
    assert _events(layer, channels) == []
    assert callbacks == []


def test_a_chunk_hand_off_makes_as_many_queries_for_many_people_as_for_few() -> None:
    few = [UserFactory.create(consented=True) for _ in range(3)]
    many = [UserFactory.create(consented=True) for _ in range(12)]

    def queries(people: list[User]) -> int:
        chunk = [
            ScoredWorkoutFactory.build(
                user=person, started_at=MORNING + day * DAY, mindful_minutes=5
            )
            for day in range(3)
            for person in people
        ]
        with CaptureQueriesContext(connection) as captured:
            services.workouts_scored_apply(scored=chunk)
        return len(captured)

    assert queries(many) == queries(few)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_chunk_ends_as_its_workouts_handed_over_one_by_one() -> None:
    people = _people()
    history = ScoredWorkoutFactory.build(user=people[0], started_at=MORNING - DAY, distance_m=3000)
    chunk = _chunk(people)
    services.workouts_scored_apply(scored=[history])
    for workout in chunk:
        services.workouts_scored_apply(scored=[workout])
    one_by_one = _state(people)
    _erase(people)

    services.workouts_scored_apply(scored=[history])
    services.workouts_scored_apply(scored=chunk)

    assert _state(people) == one_by_one
    assert one_by_one["applied"] == len(chunk) + 1
