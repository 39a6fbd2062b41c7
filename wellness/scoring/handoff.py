"""The scoring hand-off: what a scored workout tells the features, and who listens.

After a chunk of workouts is scored, the pipeline calls every registered receiver once with the
chunk's :class:`ScoredWorkout` list, in workout order, inside the chunk's transaction (no signals),
so a receiver can read and write per chunk rather than per workout. Features register their
receiver from ``AppConfig.ready`` (INSTALLED_APPS order: challenges, then worlds), exactly as they
register privacy exporters, so the scoring core never imports a feature.

Receivers must be idempotent per ``workout_id`` (a workout may be handed over again after a
re-score or a retried task) and must ignore workouts with ``counts_for_leaderboards`` false for
anything competitive. An organizer's acceptance is a challenge's own decision, stored with its
contribution (``challenges.services.contribution_review``): it never changes the hand-off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from wellness.scoring.results import WorkoutScore


@dataclass(frozen=True)
class ScoredWorkout:
    workout_id: int
    user_id: int
    sport: str  # one of ``wellness.workouts.sports.SPORTS``
    indoor: bool
    started_at: dt.datetime  # aware, UTC
    ended_at: dt.datetime  # aware, UTC
    duration_s: float
    moving_time_s: float
    distance_m: float
    elevation_gain_m: float
    active_minutes: float  # minutes of moving time or, without movement data, of elevated effort
    zone_minutes: tuple[float, ...]  # minutes in heart-rate zones 1..5 (zeros without heart rate)
    training_load: float  # threshold-normalised: 100 = one hour at lactate threshold
    mindful_minutes: float  # yoga, breathing and mindfulness time
    calories_kcal: float
    points: int
    effort_distance_m: float  # effort-fair distance that advances journeys, for any sport
    counts_for_leaderboards: bool  # False when flagged: challenges hold it for their organizers
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def zone3_plus_minutes(self) -> float:
        return sum(self.zone_minutes[2:])


def scored_workout(
    *,
    score: WorkoutScore,
    workout_id: int,
    user_id: int,
    started_at: dt.datetime,
    ended_at: dt.datetime,
) -> ScoredWorkout:
    """The hand-off to challenges and worlds."""
    return ScoredWorkout(
        workout_id=workout_id,
        user_id=user_id,
        sport=score.sport,
        indoor=score.indoor,
        started_at=started_at,
        ended_at=ended_at,
        duration_s=score.duration_s,
        moving_time_s=score.moving_time_s,
        distance_m=score.distance_m,
        elevation_gain_m=score.elevation_gain_m,
        active_minutes=score.active_minutes,
        zone_minutes=tuple(s / 60.0 for s in score.zone_seconds),
        training_load=score.training_load,
        mindful_minutes=score.mindful_minutes,
        calories_kcal=score.energy_kcal,
        points=score.points,
        effort_distance_m=score.effort_distance_m,
        counts_for_leaderboards=score.counts_for_leaderboards,
        flags=tuple(flag.code for flag in score.flags),
    )


class Receiver(Protocol):
    def __call__(self, *, scored: Sequence[ScoredWorkout]) -> None: ...


_receivers: dict[str, Receiver] = {}


def register_receiver(name: str, receiver: Receiver) -> None:
    """``receiver(scored=[...])`` is called with every scored chunk, after those registered before."""
    _receivers[name] = receiver


def receivers() -> list[tuple[str, Receiver]]:
    """The receivers in registration order."""
    return list(_receivers.items())
