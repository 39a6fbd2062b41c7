"""Builders the scoring tests share: a steady run's samples, an imported workout, its expected metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from wellness.people.models import Profile, User
from wellness.scoring import engine, results
from wellness.scoring.athletes import athlete_of
from wellness.scoring.pipeline import _metrics_json
from wellness.workouts.models import Workout
from wellness.workouts.selectors import workout_series
from wellness.workouts.services import workout_create_with_samples

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
T0 = START.timestamp()


def steady_run(minutes: int = 30, *, hr: float = 150.0, speed: float = 3.0) -> list[dict[str, Any]]:
    return [
        {"t": T0 + i, "hr": hr, "speed": speed, "cadence": 170.0, "distance": speed * i}
        for i in range(minutes * 60)
    ]


def import_workout(
    user: User, samples: list[dict[str, Any]], *, sport: str = "run", minutes: int = 30
) -> Workout:
    return workout_create_with_samples(
        user=user,
        sport=sport,
        indoor=False,
        source="file",
        started_at=START,
        ended_at=START + dt.timedelta(minutes=minutes),
        samples=samples,
    )


def expected_metrics(workout_id: int, profile: Profile | None) -> dict[str, Any]:
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
