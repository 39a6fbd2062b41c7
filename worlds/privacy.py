"""The worlds part of a person's export, and erasure of their live avatar sessions."""

from __future__ import annotations

from typing import Any

from worlds.models import AvatarSession, JourneyProgress, Postcard


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
