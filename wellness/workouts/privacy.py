"""The workouts' share of the privacy tools: their export section and their health-data eraser."""

from __future__ import annotations

from typing import Any

from wellness.people.models import (
    User,
)
from wellness.workouts.models import IdempotencyKey, Workout
from wellness.workouts.selectors import workout_sample_count, workouts_for


def workouts_export(user: User) -> list[dict[str, Any]]:
    """Privacy export: a summary of every workout (samples download per workout via the API)."""
    return [
        {
            "id": w.pk,
            "sport": w.sport,
            "indoor": w.indoor,
            "source": w.source,
            "status": w.status,
            "started_at": w.started_at.isoformat(),
            "ended_at": w.ended_at.isoformat() if w.ended_at else None,
            "samples": workout_sample_count(workout=w),
        }
        for w in workouts_for(user=user)
    ]


def workouts_erase(user_id: int) -> None:
    """Health-data eraser: every workout of the user, with its samples (cascade). Idempotent."""
    Workout.objects.filter(user_id=user_id).delete()
    IdempotencyKey.objects.filter(user_id=user_id).delete()
