"""Small builders for challenge tests: scored workouts as the hand-off delivers them, challenges."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from challenges import services
from challenges.models import Challenge, Community
from wellness.people.models import User
from wellness.scoring.handoff import ScoredWorkout

_workout_ids = itertools.count(1_000)
START = dt.date(2026, 11, 1)
END = dt.date(2026, 11, 30)


def scored(user: User, **overrides: Any) -> ScoredWorkout:
    started = overrides.pop("started_at", dt.datetime(2026, 11, 10, 7, 0, tzinfo=dt.UTC))
    values: dict[str, Any] = {
        "workout_id": next(_workout_ids),
        "user_id": user.pk,
        "sport": "run",
        "indoor": False,
        "started_at": started,
        "ended_at": started + dt.timedelta(minutes=30),
        "duration_s": 1800.0,
        "moving_time_s": 1800.0,
        "distance_m": 5000.0,
        "elevation_gain_m": 40.0,
        "active_minutes": 30.0,
        "zone_minutes": (5.0, 10.0, 10.0, 4.0, 1.0),
        "training_load": 45.5,
        "mindful_minutes": 0.0,
        "calories_kcal": 350.0,
        "points": 120,
        "effort_distance_m": 5000.0,
        "counts_for_leaderboards": True,
    }
    values.update(overrides)
    return ScoredWorkout(**values)


def community(owner: User, **overrides: Any) -> Community:
    return services.community_create(
        user=owner, name=overrides.pop("name", "Lakeside Runners"), **overrides
    )


def challenge(organizer: User, **overrides: Any) -> Challenge:
    values: dict[str, Any] = {
        "title": "November kilometres",
        "starts_on": START,
        "ends_on": END,
        "goal_type": "distance",
    }
    values.update(overrides)
    return services.challenge_create(user=organizer, **values)
