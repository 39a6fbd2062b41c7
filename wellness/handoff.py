"""The scoring hand-off: what a scored workout tells challenges and worlds.

After a chunk of workouts is scored, ``wellness`` makes one explicit call per receiver with the
chunk's :class:`ScoredWorkout` list, in workout order (no signals), so a receiver can read and
write per chunk rather than per workout:

* ``challenges.services.workouts_scored_apply(scored=[...])``: challenge progress, leaderboards,
  badges and streaks (``workout_scored_apply(scored=...)`` takes one);
* ``worlds.services.journeys_advance_many(scored=[...])``: journey progress
  (``journeys_advance(scored=...)`` takes one).

Receivers must be idempotent per ``workout_id`` (a workout may be handed over again after a
re-score or a retried task) and must ignore workouts with ``counts_for_leaderboards`` false for
anything competitive until an organizer accepts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HEART_RATE_ZONES = 5


@dataclass(frozen=True)
class ScoredWorkout:
    workout_id: int
    user_id: int
    sport: str  # "run", "ride", "walk", "yoga" or "other"
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
    counts_for_leaderboards: bool  # False while a plausibility flag awaits an organizer
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def zone3_plus_minutes(self) -> float:
        return sum(self.zone_minutes[2:])
