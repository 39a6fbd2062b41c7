"""The scoring app's share of the privacy tools: its export section and its health-data eraser."""

from __future__ import annotations

from typing import Any

from wellness.people.models import (
    User,
)
from wellness.scoring.models import BestEffort, Progress, ScoringPending, StoredScore
from wellness.scoring.selectors import personal_records, progress_of


def scores_erase(user_id: int) -> None:
    """Health-data eraser: stored scores, best efforts, pending markers and the XP/level derived
    from them.

    Idempotent. XP is the sum of scored workouts' points, so with the workouts gone it goes too.
    """
    StoredScore.objects.filter(workout__user_id=user_id).delete()
    BestEffort.objects.filter(user_id=user_id).delete()
    ScoringPending.objects.filter(workout__user_id=user_id).delete()
    Progress.objects.filter(user_id=user_id).delete()


def scores_export(user: User) -> dict[str, Any]:
    """Privacy export: lifetime XP and level, personal records, and every workout's score."""
    return {
        "progress": progress_of(user=user),
        "personal_records": personal_records(user=user),
        "scores": [
            {
                "workout_id": s.workout_id,
                "status": s.status,
                "reason": s.reason,
                "reason_code": s.reason_code,
                "points": s.points,
                "training_load": s.training_load,
                "counts_for_leaderboards": s.counts_for_leaderboards,
                "flags": s.flags,
                "metrics": s.metrics,
                "scored_at": s.scored_at.isoformat(),
            }
            for s in StoredScore.objects.filter(workout__user=user).order_by("workout_id")
        ],
    }
