"""Live effort for the ingest socket: points, XP and level while a workout streams."""

from __future__ import annotations

import contextlib
from typing import Any

from wellness.scoring import levels
from wellness.scoring.athletes import athlete_from
from wellness.scoring.models import Progress
from wellness.scoring.results import Athlete, UnscorableWorkout
from wellness.workouts.models import (
    Workout,
)


def workout_live_efforts(
    *, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], levels.LiveEffort | None]:
    """:func:`workout_live_effort` of many ``(user_id, workout_id)`` pairs in two queries."""
    wanted = set(pairs)
    # Values, not model instances: a connection storm asks for thousands at once, and building
    # a workout, its user and their profile for each held the GIL against the event loop.
    rows = Workout.objects.filter(pk__in={workout_id for _, workout_id in wanted}).values_list(
        "pk", "user_id", "sport", "indoor", "user__profile__pk",
        "user__profile__birth_year", "user__profile__sex", "user__profile__weight_kg",
        "user__profile__resting_heart_rate", "user__profile__max_heart_rate",
        "user__profile__lactate_threshold_heart_rate",
    )  # fmt: skip
    xp_of = dict(
        Progress.objects.filter(user_id__in={user_id for user_id, _ in wanted}).values_list(
            "user_id", "xp"
        )
    )
    efforts: dict[tuple[int, int], levels.LiveEffort | None] = dict.fromkeys(wanted)
    for row in rows:
        pk, user_id, sport, indoor, profile_pk = row[:5]
        birth_year, sex, weight_kg, resting_hr, max_hr, lthr = row[5:]
        key = (user_id, pk)
        if key not in wanted:
            continue  # not this user's workout
        try:
            athlete = (
                Athlete()
                if profile_pk is None
                else athlete_from(
                    birth_year=birth_year,
                    sex=sex,
                    weight_kg=weight_kg,
                    resting_hr=resting_hr,
                    max_hr=max_hr,
                    lthr=lthr,
                )
            )
        except ValueError:
            athlete = Athlete()
        with contextlib.suppress(UnscorableWorkout):  # stays None
            efforts[key] = levels.LiveEffort(
                athlete=athlete,
                sport=sport,
                indoor=indoor,
                xp_before=xp_of.get(user_id) or 0,
            )
    return efforts


def live_level_event(*, workout_id: int, progress: levels.LiveProgress) -> dict[str, Any]:
    """The notification sent to the user's sockets when a live workout reaches a new level."""
    event = {
        "kind": "level",
        "live": True,
        "workout_id": workout_id,
        "level": progress.level,
        "xp": progress.xp,
        "points": progress.points,
        "next_level_xp": progress.next_level_xp,
    }
    return {"type": "notify", "event": event}
