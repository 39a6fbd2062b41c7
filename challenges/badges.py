"""The badge registry: progressive tiers over a person's running totals. Django-free.

A badge names the total it reads and its tier thresholds; tier ``n`` (1-based) is earned once the
total reaches ``thresholds[n-1]``. Awarding (once, atomically) is the service's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Badge:
    code: str
    title: str
    metric: str
    thresholds: tuple[float, ...]
    unit: str

    def earned_tiers(self, totals: Mapping[str, float]) -> list[int]:
        value = totals.get(self.metric, 0)
        return [tier for tier, bound in enumerate(self.thresholds, start=1) if value >= bound]


BADGES: dict[str, Badge] = {
    badge.code: badge
    for badge in (
        Badge("first_workout", "First workout", "workouts", (1,), "workouts"),
        Badge("distance", "Distance milestones", "distance_km", (10, 100, 1000), "km"),
        Badge("zone_minutes", "Zone 3+ minutes", "zone3_minutes", (60, 600, 3000), "min"),
        Badge("yoga_streak", "Yoga streak", "yoga_streak_longest", (3, 7, 30), "days"),
        Badge(
            "challenge_completion", "Challenges completed", "challenges_completed", (1, 5, 10), ""
        ),
    )
}


def earned(totals: Mapping[str, float]) -> list[tuple[str, int]]:
    return [(code, tier) for code, badge in BADGES.items() for tier in badge.earned_tiers(totals)]
