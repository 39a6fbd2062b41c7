"""Points from nothing are refused: a workout's times must be possible, and one without samples
is scored by a capped rule (issue 19, game integrity)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import hr_samples
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.scoring.models import Progress, StoredScore
from wellness.scoring.rules import SAMPLELESS_MAX_S
from wellness.workouts.models import Workout, WorkoutStatus
from wellness.workouts.services import workout_finish, workout_samples_store, workout_start

pytestmark = pytest.mark.django_db


def _started(client: Any, started_at: dt.datetime, sport: str = "run") -> Any:
    return client.post(
        "/api/v1/workouts/",
        {"sport": sport, "indoor": False, "started_at": started_at.isoformat()},
        format="json",
    )


def test_finishing_in_the_year_2099_is_refused_and_nothing_is_scored(
    client_for: Any, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(consenting_user)
    started = _started(client, timezone.now() - dt.timedelta(minutes=10)).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/workouts/{started['id']}/finish/",
            {"ended_at": "2099-01-01T00:00:00Z"},
            format="json",
        )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ended_at"] == [
        "The end lies in the future: check the device's clock."
    ]
    assert Workout.objects.get(pk=started["id"]).status == WorkoutStatus.ACTIVE
    assert not StoredScore.objects.exists()
    assert not Progress.objects.filter(user=consenting_user, xp__gt=0).exists()


def test_an_ingest_token_cannot_finish_a_workout_longer_than_its_sport_allows(
    consenting_user: User,
) -> None:
    _, secret = access_token_create(user=consenting_user, name="bridge", scope=TokenScope.INGEST)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    start = timezone.now() - dt.timedelta(hours=10)
    started = _started(client, start, sport="yoga").json()

    response = client.post(
        f"/api/v1/workouts/{started['id']}/finish/",
        {"ended_at": (start + dt.timedelta(hours=8)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ended_at"] == [
        "A yoga workout lasts at most 6 hours; split a longer one."
    ]
    assert Workout.objects.get(pk=started["id"]).status == WorkoutStatus.ACTIVE


@pytest.mark.parametrize("year", [1, 1999, 9999])
def test_a_start_before_2000_or_in_the_future_is_refused(
    client_for: Any, consenting_user: User, year: int
) -> None:
    response = _started(client_for(consenting_user), dt.datetime(year, 6, 1, tzinfo=dt.UTC))

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["started_at"]
    assert not Workout.objects.exists()


def test_a_workout_without_samples_scores_at_most_three_hours_of_its_sport(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now() - dt.timedelta(hours=20)
    workout = workout_start(user=consenting_user, sport="other", indoor=False, started_at=start)

    with django_capture_on_commit_callbacks(execute=True):
        workout_finish(
            workout_id=workout.pk, user=consenting_user, ended_at=start + dt.timedelta(hours=20)
        )

    score = StoredScore.objects.get(workout=workout)
    assert score.metrics["duration_s"] == 20 * 3600
    # "other" is 4 MET: three hours of three MET-minutes a minute above rest
    assert score.points == round(3.0 * SAMPLELESS_MAX_S / 60)
    assert Progress.objects.get(user=consenting_user).xp == score.points


def test_a_recording_left_open_past_its_sport_ends_at_its_last_sample(
    consenting_user: User,
) -> None:
    start = timezone.now() - dt.timedelta(days=5)
    workout = workout_start(user=consenting_user, sport="run", indoor=False, started_at=start)
    workout_samples_store(
        user=consenting_user, workout_id=workout.pk, device="strap", seq=1,
        samples=hr_samples(start.timestamp() + 60, 30),
    )  # fmt: skip

    finished = workout_finish(workout_id=workout.pk, user=consenting_user)

    assert finished.ended_at == start + dt.timedelta(seconds=89)


@pytest.mark.postgresql
def test_lifetime_xp_past_the_32_bit_range_is_stored(consenting_user: User) -> None:
    Progress.objects.update_or_create(user=consenting_user, defaults={"xp": 2**31 + 7})

    assert Progress.objects.get(user=consenting_user).xp == 2**31 + 7
