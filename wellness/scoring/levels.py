"""Levels from lifetime XP, and points, XP and level while a workout is live."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wellness.scoring.arrays import Array
from wellness.scoring.heart import keytel_kcal_per_min
from wellness.scoring.motion import met_per_sample, speed_per_sample
from wellness.scoring.results import Athlete, UnscorableWorkout
from wellness.scoring.rules import (
    CYCLING_GROSS_EFFICIENCY,
    GAP_S,
    HR_MAX,
    HR_MIN,
    KCAL_PER_KG_MIN_PER_MET,
    KEYTEL,
    KJ_PER_KCAL,
    MAX_SPEED_MPS,
    MET_RIDE_INDOOR,
    MET_TABLE,
    RUN_WALK_SPEED_SPLIT_MPS,
    WATTS_PER_KCAL_MIN,
    WEIGHT_DEFAULT_KG,
    XP_LEVEL_BASE,
    XP_LEVEL_EXPONENT,
)
from wellness.workouts.sports import SPORTS


def xp_for_level(level: int) -> int:
    """Total XP needed to reach ``level`` (level 1 needs none)."""
    if level < 1:
        raise ValueError("levels start at 1")
    return round(XP_LEVEL_BASE * math.pow(level - 1, XP_LEVEL_EXPONENT))


def level_for_xp(xp: float) -> int:
    """The level a lifetime total of ``xp`` reaches."""
    if xp < 0:
        raise ValueError("XP cannot be negative")
    level = int((xp / XP_LEVEL_BASE) ** (1 / XP_LEVEL_EXPONENT)) + 1
    # The float estimate can be one off at exact boundaries; settle it on the integer curve.
    while xp_for_level(level + 1) <= xp:
        level += 1
    while level > 1 and xp_for_level(level) > xp:
        level -= 1
    return level


@dataclass(frozen=True)
class LiveProgress:
    points: int  # points earned so far in this workout
    xp: int  # lifetime XP including them
    level: int
    levelled_up: bool  # the last batch crossed into a new level
    next_level_xp: int


class LiveEffort:
    """Points, XP and level while a workout is live, from batches of samples as they arrive.

    Uses the same per-sample effort rule as :func:`score_workout`, so the live count matches the
    final score up to plausibility capping and rounding; the final score is what is kept.
    """

    def __init__(self, *, athlete: Athlete, sport: str, indoor: bool = False, xp_before: int = 0):
        if sport not in SPORTS:
            raise UnscorableWorkout(f"Unknown sport {sport!r}.", code="sport")
        self.athlete, self.sport, self.indoor = athlete, sport, indoor
        self.xp_before = xp_before
        self.met_minutes = 0.0
        self._last: Mapping[str, Any] | None = None
        self._level = level_for_xp(xp_before)

    def feed(self, samples: Sequence[Mapping[str, Any]]) -> LiveProgress:
        """Add a batch (dicts in the shared sample format); samples not after the last are ignored."""
        rows = [self._last] if self._last is not None else []
        last_t = self._last["t"] if self._last is not None else -math.inf
        for sample in samples:
            t = sample.get("t")
            if isinstance(t, int | float) and math.isfinite(t) and t > last_t:
                rows.append(sample)
                last_t = t
        if len(rows) == 2:  # one new sample after the last: the 1 Hz stream's usual batch
            self.met_minutes += self._pair_met_minutes(rows[0], rows[1])
        elif len(rows) > 2:
            self.met_minutes += self._rows_met_minutes(rows)
        if rows:
            self._last = rows[-1]
        points = int(self.met_minutes)
        xp = self.xp_before + points
        level = level_for_xp(xp)
        progress = LiveProgress(points, xp, level, level > self._level, xp_for_level(level + 1))
        self._level = level
        return progress

    def _rows_met_minutes(self, rows: Sequence[Mapping[str, Any]]) -> float:
        """MET-minutes above rest from the first to the last of ``rows`` (times increasing)."""
        t = np.array([float(r["t"]) for r in rows])
        hr, speed, distance, power = (
            np.array([_number(r.get(key)) for r in rows])
            for key in ("hr", "speed", "distance", "power")
        )
        step = np.diff(t)
        v, source = speed_per_sample(
            speed, distance, np.full(t.size, np.nan), np.full(t.size, np.nan), step, t.size
        )
        effort = self._effort_met(hr, v, np.fmax(v, 0.0) if source != "none" else None, power)
        hold = np.minimum(step, GAP_S)
        return float(np.maximum(effort[:-1] - 1.0, 0.0) @ hold) / 60.0

    def _pair_met_minutes(self, first: Mapping[str, Any], second: Mapping[str, Any]) -> float:
        """:meth:`_rows_met_minutes` of two rows in plain floats, the same operations in the same
        order (numpy over two-element arrays cost ~40 us a batch). Only the first row's effort
        counts: it holds until the second. Tested equal, bit for bit, to the array path."""
        step = float(second["t"]) - float(first["t"])
        hr = _number(first.get("hr"))
        speed, speed_next = _number(first.get("speed")), _number(second.get("speed"))
        # _speed: measured, else from the distance counter (GPS is not fed live).
        if math.isfinite(speed) or math.isfinite(speed_next):
            v, measured = _finite_or_nan(speed), True
        else:
            distance = _number(first.get("distance"))
            distance_next = _number(second.get("distance"))
            measured = math.isfinite(distance) or math.isfinite(distance_next)
            v = _finite_or_nan((distance_next - distance) / step) if measured else speed
        # met_per_sample, for the first row
        sport, athlete = self.sport, self.athlete
        default = MET_RIDE_INDOOR if sport == "ride" and self.indoor else MET_TABLE[sport]
        if sport in ("run", "walk") and measured:
            v0 = 0.0 if math.isnan(v) else max(v, 0.0)  # np.fmax(v, 0.0)
            met = min(v0, MAX_SPEED_MPS[sport])
            if sport == "run":
                met *= (met >= RUN_WALK_SPEED_SPLIT_MPS) + 1.0
            met *= 0.1 * 60.0 / 3.5
            met += 1.0
            if math.isnan(v):
                met = default
        elif sport == "ride" and (
            math.isfinite(_number(first.get("power")))
            or math.isfinite(_number(second.get("power")))
        ):
            power = _number(first.get("power"))
            weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
            per_watt = 1.0 / (
                CYCLING_GROSS_EFFICIENCY * WATTS_PER_KCAL_MIN * KCAL_PER_KG_MIN_PER_MET * weight
            )
            met = _fmax(power * per_watt, 1.0) if math.isfinite(power) else default
        else:
            met = default
        # _effort_met
        effort = met
        if athlete.age is not None and athlete.weight_kg and math.isfinite(hr):
            hr = float(round(hr))  # np.rint: whole beats per minute, halves to even
            if HR_MIN <= hr <= HR_MAX:
                sexes = [athlete.sex] if athlete.sex else list(KEYTEL)
                total = 0.0
                for s in sexes:
                    c0, c_hr, c_w, c_age = KEYTEL[s]
                    total = total + (c0 + c_w * athlete.weight_kg + c_age * athlete.age) + c_hr * hr
                per_met = KCAL_PER_KG_MIN_PER_MET * athlete.weight_kg
                effort = _nan_max(total / (len(sexes) * KJ_PER_KCAL) / per_met, met)
        return _nan_max(effort - 1.0, 0.0) * min(step, GAP_S) / 60.0

    def _effort_met(self, hr: Array, v: Array, v0: Array | None, power: Array) -> Array:
        met = met_per_sample(self.sport, self.indoor, v, v0, power, self.athlete)
        athlete = self.athlete
        if athlete.age is None or not athlete.weight_kg:
            return met
        hr = np.rint(hr)  # whole beats per minute, as in score_workout
        hr_ok = (hr >= HR_MIN) & (hr <= HR_MAX)
        per_met = KCAL_PER_KG_MIN_PER_MET * athlete.weight_kg
        hr_met = (
            keytel_kcal_per_min(
                np.where(hr_ok, hr, 0.0), athlete.age, athlete.weight_kg, athlete.sex
            )
            / per_met
        )
        return np.where(hr_ok, np.maximum(hr_met, met), met)


def _finite_or_nan(value: float) -> float:
    return value if math.isfinite(value) else math.nan


def _nan_max(a: float, b: float) -> float:
    """``np.maximum`` of two floats: NaN if either is NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a >= b else b


def _fmax(a: float, b: float) -> float:
    """``np.fmax`` of two floats: the other one if one is NaN."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return a if a >= b else b


def _number(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    )
