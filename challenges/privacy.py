"""The challenges' contributions to a person's data export and health-data erasure."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from challenges.models import (
    ActivityTotals,
    AppliedWorkout,
    BadgeAward,
    Contribution,
    Participant,
    Streak,
)
from challenges.services.progress import _participant_recompute
from wellness.people.models import User


def challenges_health_data_erase(user_id: int) -> None:
    """Erase what workouts told us about this person and recompute their (and teams') progress.
    Idempotent. Memberships and participations stay: they are not health data."""
    with transaction.atomic():
        participant_ids = list(
            Participant.objects.filter(user_id=user_id).order_by("pk").values_list("pk", flat=True)
        )
        Contribution.objects.filter(participant_id__in=participant_ids).delete()
        Participant.objects.filter(pk__in=participant_ids).update(completed_at=None)
        for participant_id in participant_ids:
            _participant_recompute(participant_id)
        AppliedWorkout.objects.filter(user_id=user_id).delete()
        ActivityTotals.objects.filter(user_id=user_id).delete()
        Streak.objects.filter(user_id=user_id).delete()
        BadgeAward.objects.filter(user_id=user_id).delete()


def challenges_export(user: User) -> dict[str, Any]:
    return {
        "participations": [
            {
                "challenge": p.challenge.title,
                "status": p.status,
                "progress": p.progress,
                "contributions": [
                    {
                        "workout_id": c.workout_id,
                        "amount": c.amount,
                        "status": c.status,
                        "reviewed_at": c.reviewed_at.isoformat() if c.reviewed_at else None,
                    }
                    for c in p.contributions.all()
                ],
            }
            for p in Participant.objects.filter(user=user).select_related("challenge")
        ],
        "badges": [
            {"badge": a.badge, "tier": a.tier, "awarded_at": a.awarded_at.isoformat()}
            for a in BadgeAward.objects.filter(user=user)
        ],
        "streaks": [
            {"kind": s.kind, "current": s.current, "longest": s.longest}
            for s in Streak.objects.filter(user=user)
        ],
    }
