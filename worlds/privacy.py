"""The worlds part of a person's export, erasure of their sessions and journey progress, and what
account deletion releases (their worlds that are journey stages)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from worlds.models import AvatarSession, JourneyAdvance, JourneyProgress, Postcard, World


def export(user: Any) -> dict[str, Any]:
    return {
        "avatar_sessions": [
            {
                "world_id": s.world_id,
                "workout_id": s.workout_id,
                "sport": s.sport,
                "status": s.status,
                "distance_m": s.distance_m,
                "started_at": s.started_at.isoformat(),
                "finish_time_s": s.finish_time_s,
                "events": [{"kind": e.kind, "t": e.t, **e.data} for e in s.events.all()],
            }
            for s in AvatarSession.objects.filter(user=user).prefetch_related("events")
        ],
        "journeys": [
            {
                "journey": p.journey.name,
                "distance_m": p.distance_m,
                "joined_at": p.joined_at.isoformat(),
            }
            for p in JourneyProgress.objects.filter(user=user).select_related("journey")
        ],
        "postcards": [
            {"landmark": c.landmark.name, "journey_distance_m": c.journey_distance_m}
            for c in Postcard.objects.filter(progress__user=user).select_related("landmark")
        ],
    }


def erase_sessions(user_id: int) -> None:
    AvatarSession.objects.filter(user_id=user_id).delete()


def erase_journeys(user_id: int) -> None:
    """Journey progress is derived from workouts: the person's own (with its ledger and postcards)
    goes, and each community journey they advanced gives back their share. Idempotent."""
    with transaction.atomic():
        own = JourneyProgress.objects.filter(user_id=user_id)
        workout_ids = list(
            JourneyAdvance.objects.filter(progress__in=own).values_list("workout_id", flat=True)
        )
        shares = (
            JourneyAdvance.objects.filter(
                workout_id__in=workout_ids, progress__community_id__isnull=False
            )
            .values("progress_id")
            .annotate(total=Sum("distance_m"))
        )
        for share in shares:
            JourneyProgress.objects.filter(pk=share["progress_id"]).update(
                distance_m=F("distance_m") - share["total"]
            )
        JourneyAdvance.objects.filter(
            workout_id__in=workout_ids, progress__community_id__isnull=False
        ).delete()
        own.delete()


def release_stage_worlds(user_id: int) -> None:
    """A world that is a stage of a journey outlives its owner, detached; their others go."""
    World.objects.filter(owner_id=user_id, journey_stages__isnull=False).update(owner=None)
