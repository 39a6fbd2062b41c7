"""Heart-rate tables per athlete: zones, TRIMP and Keytel energy per whole bpm (HRV is in hrv.py)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from wellness.people.physiology import estimate_max_heart_rate
from wellness.scoring.arrays import Array
from wellness.scoring.results import Athlete
from wellness.scoring.rules import (
    BANISTER,
    EDWARDS_ZONES,
    HEART_RATE_ZONES,
    HR_MAX,
    HR_MIN,
    KARVONEN_ZONES,
    KCAL_PER_KG_MIN_PER_MET,
    KEYTEL,
    KJ_PER_KCAL,
    LTHR_FRACTION_OF_MAX,
    RESTING_HR_DEFAULT,
    WEIGHT_DEFAULT_KG,
)

HR_LOW = int(HR_MIN)
HR_BINS = int(HR_MAX) + 2  # bins 0..230 and 231 for "above the human range"
BPM = np.arange(HR_LOW, HR_BINS - 1, dtype=np.float64)
_NO_SECONDS = np.zeros(BPM.size)
_ZONE_NUMBERS = np.arange(1, HEART_RATE_ZONES + 1)[:, np.newaxis]


@dataclass(frozen=True)
class HeartTables:
    """What an athlete's physiology makes of each whole bpm, computed once per athlete."""

    max_hr: float | None
    max_estimated: bool
    rest: float
    zone_method: str
    zone_bounds: tuple[float, ...] | None
    lthr: float | None  # None: no training load without a maximum heart rate
    hour_at_lthr: float
    # rows, per bpm from HR_LOW to HR_MAX: bpm; in zone 1..5 (0/1); Banister weight a*x*e^(b*x)
    # per second in minutes; Edwards zone number per second in minutes; Keytel kcal per second.
    matrix: Array
    met_by_bin: Array | None  # Keytel MET per heart-rate bin (None: age or weight unknown)
    kcal_per_met_min: float


@functools.lru_cache(maxsize=4096)
def heart_tables(athlete: Athlete) -> HeartTables:
    max_hr = athlete.max_hr
    max_estimated = False
    if max_hr is None and athlete.age is not None:
        max_hr = float(estimate_max_heart_rate(max(round(athlete.age), 0)))
        max_estimated = True
    rest = RESTING_HR_DEFAULT if athlete.resting_hr is None else athlete.resting_hr
    zone_method = "none"
    zone_bounds: tuple[float, ...] | None = None
    if athlete.zone_bounds is not None:
        zone_bounds, zone_method = tuple(athlete.zone_bounds), "custom"
    elif max_hr is not None and athlete.resting_hr is not None:
        reserve = max_hr - athlete.resting_hr
        zone_bounds = tuple(athlete.resting_hr + f * reserve for f in KARVONEN_ZONES)
        zone_method = "karvonen"
    elif max_hr is not None:
        zone_bounds, zone_method = tuple(f * max_hr for f in EDWARDS_ZONES), "percent_max"
    matrix = np.zeros((9, BPM.size))
    matrix[0] = BPM
    if zone_bounds is not None:
        zone_of_bpm = np.searchsorted(np.asarray(zone_bounds), BPM, side="right")
        np.equal(zone_of_bpm, _ZONE_NUMBERS, out=matrix[1 : HEART_RATE_ZONES + 1], casting="unsafe")
    lthr = None
    hour_at_lthr = 0.0
    if max_hr is not None and max_hr > rest:
        coefficients = [BANISTER[athlete.sex]] if athlete.sex else list(BANISTER.values())
        reserve = max_hr - rest
        x = np.minimum(np.maximum((BPM - rest) / reserve, 0.0), 1.0)  # np.clip costs 4x as much
        lthr = athlete.lthr if athlete.lthr is not None else LTHR_FRACTION_OF_MAX * max_hr
        x_lt = min(max((lthr - rest) / reserve, 0.0), 1.0)
        for a, b in coefficients:
            matrix[6] += a * x * np.exp(b * x) / 60.0 / len(coefficients)
            hour_at_lthr += 60.0 * a * x_lt * math.exp(b * x_lt) / len(coefficients)
        edwards = np.searchsorted(np.asarray(EDWARDS_ZONES) * max_hr, BPM, side="right")
        matrix[7] = edwards / 60.0
    weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
    kcal_per_met_min = KCAL_PER_KG_MIN_PER_MET * weight
    met_by_bin = None
    if athlete.age is not None and athlete.weight_kg:
        # Keytel underestimates at low heart rates (it can go negative): never below resting.
        kcal = np.maximum(
            keytel_kcal_per_min(BPM, athlete.age, athlete.weight_kg, athlete.sex),
            kcal_per_met_min,
        )
        matrix[8] = kcal / 60.0
        met_by_bin = np.zeros(HR_BINS)
        met_by_bin[HR_LOW : HR_BINS - 1] = kcal / kcal_per_met_min
    return HeartTables(
        max_hr=max_hr,
        max_estimated=max_estimated,
        rest=rest,
        zone_method=zone_method,
        zone_bounds=zone_bounds,
        lthr=lthr,
        hour_at_lthr=hour_at_lthr,
        matrix=matrix,
        met_by_bin=met_by_bin,
        kcal_per_met_min=kcal_per_met_min,
    )


def keytel_kcal_per_min(hr: Array, age: float, weight: float, sex: str | None) -> Array:
    """Keytel et al. 2005 energy expenditure (kcal/min) from heart rate, without VO2max."""
    sexes = [sex] if sex else list(KEYTEL)
    total: Array | None = None
    for s in sexes:
        c0, c_hr, c_w, c_age = KEYTEL[s]
        term = c0 + c_w * weight + c_age * age
        total = term + c_hr * hr if total is None else total + term + c_hr * hr
    assert total is not None
    return total / (len(sexes) * KJ_PER_KCAL)
