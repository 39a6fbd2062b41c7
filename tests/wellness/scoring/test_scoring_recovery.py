"""Scoring recovers on its own: workouts left waiting by a lost drain task are queued again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.wellness.scoring.helpers import import_workout, steady_run
from wellness.people.models import User
from wellness.scoring.models import ScoringPending, StoredScore
from wellness.scoring.selectors import scoring_pending_overdue
from wellness.scoring.tasks import DRAIN_QUEUED_KEY, scoring_drain_recover
from wellness.workouts.models import Workout

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def waiting_since(user: User, ago: dt.timedelta) -> Workout:
    """A finished workout whose marker was queued ``ago``, with its drain task lost (the queued key
    still set, as a message deleted from the broker leaves it)."""
    workout = import_workout(user, steady_run(10))  # the test transaction never commits: no task
    ScoringPending.objects.filter(workout=workout).update(queued_at=timezone.now() - ago)
    cache.set(DRAIN_QUEUED_KEY, 1)
    return workout


def test_only_markers_older_than_the_period_are_overdue(consenting_user: User) -> None:
    waiting_since(consenting_user, dt.timedelta(seconds=50))
    now = timezone.now()

    assert scoring_pending_overdue(queued_before=now - MINUTE) is False
    assert scoring_pending_overdue(queued_before=now - dt.timedelta(seconds=40)) is True


def test_a_workout_waiting_over_a_minute_is_queued_again_and_scored(consenting_user: User) -> None:
    workout = waiting_since(consenting_user, dt.timedelta(seconds=61))

    requeued = scoring_drain_recover(now=timezone.now(), waited=MINUTE)

    assert requeued is True
    assert StoredScore.objects.filter(workout=workout).exists()
    assert not ScoringPending.objects.exists()


def test_a_workout_waiting_under_a_minute_is_left_to_its_queued_task(
    consenting_user: User,
) -> None:
    workout = waiting_since(consenting_user, dt.timedelta(seconds=30))

    requeued = scoring_drain_recover(now=timezone.now(), waited=MINUTE)

    assert requeued is False
    assert not StoredScore.objects.filter(workout=workout).exists()
    assert cache.get(DRAIN_QUEUED_KEY) == 1


def test_the_drain_is_queued_again_once_per_period_across_processes(
    consenting_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting_since(consenting_user, dt.timedelta(minutes=5))
    queued: list[bool] = []
    monkeypatch.setattr(
        "wellness.scoring.tasks.workouts_score_pending_task.delay", lambda: queued.append(True)
    )

    first = scoring_drain_recover(now=timezone.now(), waited=MINUTE)
    second = scoring_drain_recover(now=timezone.now(), waited=MINUTE)

    assert (first, second) == (True, False)
    assert queued == [True]
