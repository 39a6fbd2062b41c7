"""Builders the scoring tests share: a steady run's samples, an imported workout, its expected metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from wellness import scoring, selectors, services
from wellness.models import Profile, User, Workout

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
    return services.workout_create_with_samples(
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
        athlete = services._athlete(profile)
    except ValueError:
        athlete = scoring.Athlete()
    series = selectors.workout_series(workout=workout_id)
    score = scoring.score_arrays(
        np.ascontiguousarray(series.records.T),
        series.rr[:, 1],
        athlete,
        "run",
        indoor=False,
        elapsed_s=dt.timedelta(minutes=30).total_seconds(),
    )
    return services._metrics_json(score)
