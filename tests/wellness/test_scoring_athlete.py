"""Scoring reads each person's profile with the locked workouts (one row each, no model instances):
the stored metrics are those of the athlete their Profile describes, with or without a profile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from tests.factories import UserFactory
from tests.wellness.test_scoring_lifecycle import import_workout, steady_run
from wellness.people.models import Profile, User
from wellness.scoring import engine, results
from wellness.scoring.athletes import athlete_of
from wellness.scoring.models import StoredScore
from wellness.scoring.pipeline import _metrics_json, workouts_score
from wellness.workouts.selectors import workout_series

pytestmark = pytest.mark.django_db


def _expected_metrics(workout_id: int, profile: Profile | None) -> dict[str, Any]:
    """The metrics of the workout scored straight from its series with the profile's athlete."""
    try:
        athlete = athlete_of(profile)
    except ValueError:
        athlete = results.Athlete()
    series = workout_series(workout=workout_id)
    score = engine.score_arrays(
        np.ascontiguousarray(series.records.T),
        series.rr[:, 1],
        athlete,
        "run",
        indoor=False,
        elapsed_s=dt.timedelta(minutes=30).total_seconds(),
    )
    return _metrics_json(score)


@pytest.mark.parametrize(
    "profile_values",
    [
        {"birth_year": 1961, "sex": "male", "weight_kg": Decimal("81.5"), "resting_heart_rate": 48,
         "max_heart_rate": 181, "lactate_threshold_heart_rate": 165},
        {"birth_year": 1995, "sex": "female", "weight_kg": Decimal("58.0")},
        {},
        {"resting_heart_rate": 190, "max_heart_rate": 150},  # contradictory: formulas estimate
        None,  # no profile at all
    ],
    ids=["full", "partial", "empty", "contradictory", "none"],
)  # fmt: skip
def test_stored_metrics_are_those_of_the_athlete_the_profile_describes(
    profile_values: dict[str, Any] | None,
) -> None:
    person: User = UserFactory.create(consented=True)
    if profile_values is None:
        Profile.objects.filter(user=person).delete()
    else:
        Profile.objects.filter(user=person).update(**profile_values)
    workout = import_workout(person, steady_run(hr=158.0))
    profile = Profile.objects.filter(user=person).first()

    workouts_score(workout_ids=[workout.pk])

    stored = StoredScore.objects.get(workout=workout)
    assert stored.metrics == _expected_metrics(workout.pk, profile)


def test_profiles_that_differ_give_different_scores() -> None:
    older = UserFactory.create(consented=True)
    younger = UserFactory.create(consented=True)
    Profile.objects.filter(user=older).update(birth_year=1950, weight_kg=Decimal("95"))
    Profile.objects.filter(user=younger).update(birth_year=2000, weight_kg=Decimal("55"))
    workouts = [import_workout(p, steady_run(hr=158.0)) for p in (older, younger)]

    workouts_score(workout_ids=[w.pk for w in workouts])

    first, second = (StoredScore.objects.get(workout=w).metrics for w in workouts)
    assert first["energy_kcal"] != second["energy_kcal"]
    assert first == _expected_metrics(workouts[0].pk, Profile.objects.get(user=older))
