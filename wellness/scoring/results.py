"""What scoring produces: the athlete it scores for, a plausibility flag, and every metric of a workout."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

from wellness.scoring.explain import explain_score
from wellness.scoring.rules import HEART_RATE_ZONES, SEXES


class UnscorableWorkout(ValueError):
    """A workout that cannot be scored at all, with a sentence saying why."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Athlete:
    """What the formulas need to know about the person; ``None`` means "not known"."""

    age: float | None = None
    sex: str | None = None  # "female", "male" or None
    weight_kg: float | None = None
    resting_hr: float | None = None
    max_hr: float | None = None
    lthr: float | None = None
    zone_bounds: tuple[float, ...] | None = None  # lower bounds (bpm) of zones 1..5, increasing

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES} or None, not {self.sex!r}")
        if self.zone_bounds is not None:
            bounds = self.zone_bounds
            if len(bounds) != HEART_RATE_ZONES or any(
                not lower < upper for lower, upper in itertools.pairwise(bounds)
            ):
                raise ValueError("zone_bounds must be five strictly increasing heart rates")
        if (
            self.resting_hr is not None
            and self.max_hr is not None
            and not self.resting_hr < self.max_hr
        ):
            raise ValueError("resting heart rate must be below maximum heart rate")


@dataclass(frozen=True)
class Flag:
    """A plausibility problem: the workout is kept and explained but counts for no leaderboard."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class WorkoutScore:
    """Every metric of one workout, and what they were computed from (for the explanations)."""

    sport: str
    indoor: bool
    samples: int
    duration_s: float
    recorded_s: float  # time covered by samples, less timer pauses (or the gap rule's silences)
    moving_time_s: float
    distance_m: float
    distance_source: str  # "device", "speed", "gps" or "none"
    avg_speed_mps: float
    max_speed_mps: float
    pace_s_per_km: float | None
    elevation_gain_m: float
    cadence_avg: float | None
    cadence_max: float | None
    hr_seconds: float
    hr_avg: float | None
    hr_max: float | None
    resting_hr_used: float
    resting_hr_estimated: bool
    max_hr_used: float | None
    max_hr_estimated: bool
    lthr_used: float | None
    lthr_estimated: bool
    sex_used: str | None
    zone_method: str  # "karvonen", "percent_max", "custom" or "none"
    zone_bounds: tuple[float, ...] | None
    zone_seconds: tuple[float, ...]
    trimp_banister: float
    trimp_edwards: float
    training_load: float
    energy_kcal: float
    energy_method: str  # "keytel", "keytel+met" or "met"
    weight_estimated: bool
    rmssd_ms: float | None
    sdnn_ms: float | None
    rr_beats: int
    rr_artefacts: int
    active_minutes: float
    mindful_minutes: float
    met_minutes: float
    points: int
    effort_distance_m: float
    flags: tuple[Flag, ...]
    # Added later, so scores stored before them still load: defaults say "not computed".
    timer_pauses: bool = False  # pauses came from the device's timer, not the gap rule
    energy_met_kcal: float = 0.0  # the part of energy_kcal estimated without heart rate
    energy_met_s: float = 0.0  # the time that part covers
    best_times: dict[str, float] = field(default_factory=dict)  # fastest seconds per distance
    best_powers: dict[str, float] = field(default_factory=dict)  # highest mean watts per window

    @property
    def counts_for_leaderboards(self) -> bool:
        return not self.flags

    def explain(self) -> dict[str, str]:
        """One sentence per metric: what it is and how this workout's number came about.

        Rendered from the stored numbers when asked for, so scoring itself pays nothing for it.
        """
        return explain_score(self)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the explanations: for storage and API responses."""
        return asdict(self) | {
            "counts_for_leaderboards": self.counts_for_leaderboards,
            "explanations": self.explain(),
        }
