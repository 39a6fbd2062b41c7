"""Scoring reads each person's profile with the locked workouts (one row each, no model instances):
the stored metrics are those of the athlete their Profile describes, with or without a profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.factories import UserFactory
from tests.wellness.scoring.helpers import expected_metrics, import_workout, steady_run
from wellness.people.models import Profile, User
from wellness.scoring.models import StoredScore
from wellness.scoring.pipeline import workouts_score

pytestmark = pytest.mark.django_db


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
    assert stored.metrics == expected_metrics(workout.pk, profile)


def test_profiles_that_differ_give_different_scores() -> None:
    older = UserFactory.create(consented=True)
    younger = UserFactory.create(consented=True)
    Profile.objects.filter(user=older).update(birth_year=1950, weight_kg=Decimal("95"))
    Profile.objects.filter(user=younger).update(birth_year=2000, weight_kg=Decimal("55"))
    workouts = [import_workout(p, steady_run(hr=158.0)) for p in (older, younger)]

    workouts_score(workout_ids=[w.pk for w in workouts])

    first, second = (StoredScore.objects.get(workout=w).metrics for w in workouts)
    assert first["energy_kcal"] != second["energy_kcal"]
    assert first == expected_metrics(workouts[0].pk, Profile.objects.get(user=older))
