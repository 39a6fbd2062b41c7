"""On PostgreSQL a chunk's saved series stream in row by row and each is scored as it arrives: the
stored metrics equal each workout scored alone from its series, workouts without a current saved
series are merged from their batches, and an error mid-stream rolls the chunk back cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.wellness.scoring.helpers import T0, expected_metrics, import_workout, steady_run
from wellness.people.models import Profile, User
from wellness.people.services import profile_update
from wellness.scoring import pipeline, queue, results
from wellness.scoring.models import StoredScore
from wellness.scoring.pipeline import _score_one, workouts_score
from wellness.workouts.models import Workout
from wellness.workouts.selectors import workout_series
from wellness.workouts.services import workout_samples_store

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_drain_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests score in-process: importing a workout queues no task for a worker."""
    monkeypatch.setattr(queue, "scoring_drain_schedule", lambda: None)


def _people() -> list[User]:
    people = [UserFactory.create(consented=True) for _ in range(2)]
    profile_update(
        user=people[0],
        changes={"birth_year": 1988, "sex": "female", "weight_kg": 62, "resting_heart_rate": 52},
    )
    return people


def _chunk(people: list[User]) -> tuple[list[Workout], set[int]]:
    """Workouts of two people, and the ids of those without a current saved series."""
    saved = [
        import_workout(people[i % 2], steady_run(hr=140.0 + 5 * i, speed=2.5 + 0.2 * i))
        for i in range(4)
    ]
    late = import_workout(people[0], steady_run(hr=150.0))
    workout_samples_store(
        user=people[0], workout_id=late.pk, device="phone", seq=1,
        samples=[{"t": T0 + 30 * 60 + i, "hr": 175.0, "speed": 4.0} for i in range(120)],
    )  # fmt: skip
    never_saved = import_workout(people[1], steady_run(hr=165.0))
    Workout.objects.filter(pk=never_saved.pk).update(
        series_batches=None, series_data=None, series_rr=None
    )  # as a workout finished before series were saved
    return [*saved, late, never_saved], {late.pk, never_saved.pk}


def test_on_postgresql_a_streamed_chunk_stores_what_each_workout_scored_alone_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = _people()
    workouts, unsaved = _chunk(people)
    merged: list[int] = []
    unspied = workout_series

    def spy(*, workout: Any) -> Any:
        merged.append(workout)
        return unspied(workout=workout)

    monkeypatch.setattr(pipeline, "workout_series", spy)

    workouts_score(workout_ids=[w.pk for w in workouts])

    monkeypatch.setattr(pipeline, "workout_series", unspied)
    assert sorted(merged) == sorted(unsaved)  # the others came from the stream
    for workout in workouts:
        stored = StoredScore.objects.get(workout=workout)
        assert stored.metrics == expected_metrics(
            workout.pk, Profile.objects.get(user_id=workout.user_id)
        )
    late = StoredScore.objects.get(workout_id=min(unsaved)).metrics
    assert late["hr_max"] == 175.0  # the late batch was scored, not the stale saved series


def test_on_postgresql_an_error_while_the_series_stream_in_rolls_the_chunk_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = _people()
    workouts = [import_workout(people[i % 2], steady_run(hr=140.0 + i)) for i in range(4)]
    ids = [w.pk for w in workouts]
    score_one = _score_one
    calls: list[int] = []

    def failing(workout: Any, series: Any) -> results.WorkoutScore | results.UnscorableWorkout:
        calls.append(workout.pk)
        if len(calls) == 2:
            raise RuntimeError("a bug in scoring")
        return score_one(workout, series)

    monkeypatch.setattr(pipeline, "_score_one", failing)

    with pytest.raises(RuntimeError, match="a bug in scoring"):
        workouts_score(workout_ids=ids)

    assert len(calls) == 2
    assert not StoredScore.objects.filter(workout_id__in=ids).exists()
    monkeypatch.setattr(pipeline, "_score_one", score_one)
    with connection.cursor() as cursor:  # the connection is usable again
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    workouts_score(workout_ids=ids)
    assert StoredScore.objects.filter(workout_id__in=ids).count() == 4


def test_on_postgresql_connections_do_not_jit_compile_queries() -> None:
    """The chunk's series query is estimated costly enough for JIT on a table of live batches, and
    compiling it took ~0.1 s against a 3 ms run; the app's connections turn JIT off."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
