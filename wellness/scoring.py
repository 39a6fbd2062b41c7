"""Workout scoring: physiology, points and progress from a workout's samples. No Django imports.

Input is the shared workout frame (``wellness.selectors.workout_frame``: float64 columns ``t, hr,
cadence, speed, distance, power, altitude, lat, lon``) plus the RR intervals, an :class:`Athlete`
and the sport. Every formula, constant and citation is in ``wellness/SCORING.md``; the constants
here carry the same names.

Speed matters: the whole computation is vectorised NumPy on arrays taken from the frame once,
because a worker scores ~1,000 one-hour workouts per second (``python -m benchmarks scoring``);
per-call pandas overhead alone would be a multiple of the budget.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from wellness.handoff import HEART_RATE_ZONES, ScoredWorkout
from wellness.physiology import estimate_max_heart_rate

Array = npt.NDArray[np.float64]

COLUMNS = ("t", "hr", "cadence", "speed", "distance", "power", "altitude", "lat", "lon")
SPORTS = ("run", "ride", "walk", "yoga", "other")
SEXES = ("female", "male")

# --- Constants (each is explained in SCORING.md) --------------------------------------------------
GAP_S = 10.0  # a sample stands for at most this long; longer silences count as paused
MOVING_SPEED_MPS = 0.5  # slower than a slow walk: standing still (GPS drift)
HR_MIN, HR_MAX = 25.0, 230.0  # outside: not a human heart rate (0 means "no skin contact")
RESTING_HR_DEFAULT = 70.0  # typical adult resting heart rate, used only when none is set
LTHR_FRACTION_OF_MAX = 0.90  # rule-of-thumb lactate threshold when none is set
KARVONEN_ZONES = (0.5, 0.6, 0.7, 0.8, 0.9)  # fractions of heart-rate reserve opening zones 1..5
EDWARDS_ZONES = (0.5, 0.6, 0.7, 0.8, 0.9)  # fractions of maximum heart rate opening zones 1..5
BANISTER = {"male": (0.64, 1.92), "female": (0.86, 1.67)}  # (a, b) in a * x * exp(b * x)
KEYTEL = {  # kJ/min = c0 + c_hr * HR + c_w * weight + c_age * age (Keytel et al. 2005, no VO2max)
    "male": (-55.0969, 0.6309, 0.1988, 0.2017),
    "female": (-20.4022, 0.4472, -0.1263, 0.0740),
}
KJ_PER_KCAL = 4.184
KCAL_PER_KG_MIN_PER_MET = 0.0175  # 1 MET = 3.5 ml O2/kg/min, about 1 kcal/kg/h
WEIGHT_DEFAULT_KG = 70.0  # used for energy only, when no weight is set; points never use weight
MET_TABLE = {"run": 8.0, "ride": 7.5, "walk": 3.5, "yoga": 2.5, "other": 4.0}  # Ainsworth 2011
MET_RIDE_INDOOR = 7.0
CYCLING_GROSS_EFFICIENCY = 0.22  # typical gross efficiency (Ettema & Loras 2009: ~18-23 %)
WATTS_PER_KCAL_MIN = 4184.0 / 60.0
RUN_WALK_SPEED_SPLIT_MPS = 2.2  # ACSM: walking equation below ~134 m/min, running above
MODERATE_MET = 3.0  # WHO/ACSM moderate-intensity threshold: an "active" minute
SMOOTH_ALTITUDE_SAMPLES = 10
CLIMB_THRESHOLD_M = 1.0  # a climb counts once smoothed altitude rose monotonically this much
HRV_MIN_BEATS = 20
RR_MIN_MS, RR_MAX_MS = 300.0, 2000.0  # 200 to 30 beats/min
RR_MAX_CHANGE = 0.20  # a beat more than 20 % off the previous one is an artefact (Malik 1989)
CTL_DAYS, ATL_DAYS = 42.0, 7.0
METRES_PER_POINT = 17.5  # an hour's run at 10 km/h (~570 points) advances a journey ~10 km
XP_LEVEL_BASE = 500.0
XP_LEVEL_EXPONENT = 1.5
# plausibility
MAX_SPEED_MPS = {"run": 12.5, "walk": 4.5, "ride": 30.0, "yoga": 3.0, "other": 30.0}
MAX_CADENCE = {"run": 260.0, "walk": 260.0, "ride": 220.0, "yoga": 260.0, "other": 260.0}
MIN_TURNING_CADENCE = {"run": 30.0, "walk": 30.0, "ride": 20.0}  # below: coasting, stopping
MAX_STEP_LENGTH_M = 3.0  # run/walk: speed / step rate
MAX_DEVELOPMENT_M = 12.0  # ride: metres per crank revolution (53x11 on a road wheel is ~10 m)
IMPLAUSIBLE_FOR_S = 10.0  # tolerate this much implausible speed/cadence (sensor glitches)
JUMP_MIN_M = 50.0
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
GAP_FLAG_S = 900.0
MAX_DURATION_S = 24 * 3600.0
EARLIEST_T = 946684800.0  # 2000-01-01: earlier means the device clock was never set
FUTURE_TOLERANCE_S = 300.0


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
    recorded_s: float  # time covered by samples, silences over GAP_S left out
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

    @property
    def counts_for_leaderboards(self) -> bool:
        return not self.flags

    def explain(self) -> dict[str, str]:
        """One sentence per metric: what it is and how this workout's number came about.

        Rendered from the stored numbers when asked for, so scoring itself pays nothing for it.
        """
        return _explain(self)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the explanations: for storage and API responses."""
        return asdict(self) | {
            "counts_for_leaderboards": self.counts_for_leaderboards,
            "explanations": self.explain(),
        }


# --- Entry points -----------------------------------------------------------------------------------
def score_workout(
    frame: Any,
    rr: Array | Sequence[float] | None,
    athlete: Athlete,
    sport: str,
    *,
    indoor: bool = False,
    elapsed_s: float | None = None,
    now: float | None = None,
) -> WorkoutScore:
    """Score one workout from its frame (a pandas DataFrame with :data:`COLUMNS`).

    ``elapsed_s`` is the workout's wall-clock length (``ended_at - started_at``); it lets a
    workout without samples (yoga without a strap) be scored from its duration. Raises
    :class:`UnscorableWorkout` when there is nothing to score.
    """
    return score_arrays(
        _frame_arrays(frame), rr, athlete, sport, indoor=indoor, elapsed_s=elapsed_s, now=now
    )


def _frame_arrays(frame: Any) -> Array:
    columns = tuple(frame.columns.tolist())
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        raise UnscorableWorkout(
            f"The workout frame lacks the column(s) {', '.join(missing)}.", code="bad_frame"
        )
    if columns != COLUMNS:
        frame = frame.loc[:, list(COLUMNS)]
    try:
        # One conversion of the single float64 block: per-column access costs ~10 us a column.
        data = frame.to_numpy(dtype=np.float64, copy=False).T
    except (TypeError, ValueError) as exc:
        raise UnscorableWorkout(
            "The workout frame holds values that are not numbers.", code="bad_frame"
        ) from exc
    return np.ascontiguousarray(data)


def score_arrays(
    data: Array,
    rr: Array | Sequence[float] | None,
    athlete: Athlete,
    sport: str,
    *,
    indoor: bool = False,
    elapsed_s: float | None = None,
    now: float | None = None,
) -> WorkoutScore:
    """:func:`score_workout` on a ``(9, n)`` array whose rows are :data:`COLUMNS`."""
    # Broken values (inf - inf in a cheap finiteness test, say) are handled where they matter;
    # NumPy's warnings about them would only be noise in the worker's log.
    with np.errstate(all="ignore"):
        return _score_arrays(data, rr, athlete, sport, indoor, elapsed_s, now)


def _score_arrays(
    data: Array,
    rr: Array | Sequence[float] | None,
    athlete: Athlete,
    sport: str,
    indoor: bool,
    elapsed_s: float | None,
    now: float | None,
) -> WorkoutScore:
    if sport not in SPORTS:
        raise UnscorableWorkout(
            f"Unknown sport {sport!r}; one of {', '.join(SPORTS)}.", code="sport"
        )
    if elapsed_s is not None and not (math.isfinite(elapsed_s) and elapsed_s >= 0):
        raise UnscorableWorkout("The workout's elapsed time must be zero or more.", code="elapsed")
    if data.ndim != 2 or data.shape[0] != len(COLUMNS):
        raise UnscorableWorkout("The workout data has the wrong shape.", code="bad_frame")
    flags: list[Flag] = []
    t = data[0]
    if not math.isfinite(_sum(t)):  # cheaper than isfinite().all(); NaN and inf poison the sum
        data = data[:, np.isfinite(t)]
        t = data[0]
    n = t.size
    if n == 0:
        if elapsed_s is None:
            raise UnscorableWorkout(
                "The workout has no samples with a time and no start and end to score it by.",
                code="no_samples",
            )
        return _score_without_samples(rr, athlete, sport, indoor, elapsed_s)
    step = t[1:] - t[:-1]
    if n > 1 and not _min(step) > 0:
        flags.append(
            Flag(
                "clock_error",
                f"{int((step <= 0).sum())} sample(s) came with a time not after the one before "
                "(clock error or duplicate); they were put in order and duplicates dropped.",
            )
        )
        _, first = np.unique(t, return_index=True)
        data = data[:, first]
        t = data[0]
        n = t.size
        step = t[1:] - t[:-1]
    hr, cadence, speed, distance, power, altitude, lat, lon = data[1:]

    # A sample stands for the time until the next one, but never more than GAP_S.
    hold = np.empty(n)
    np.minimum(step, GAP_S, out=hold[:-1])
    hold[-1] = 0.0
    recorded_s = float(_sum(hold))
    span_s = float(t[-1] - t[0])
    duration_s = max(span_s, elapsed_s) if elapsed_s is not None else span_s
    _check_clock(t, step, span_s, now, flags)

    # --- movement
    v, speed_source = _speed(speed, distance, lat, lon, step, n)
    has_speed = speed_source != "none"
    v0: Array | None = None
    moving: npt.NDArray[np.bool_] | None = None
    if has_speed:
        v0 = np.fmax(v, 0.0)  # unknown (NaN) and negative speeds count as standing still
        moving = v0 >= MOVING_SPEED_MPS
        moving_time_s = float(hold @ moving)
        max_speed = float(_max(v0))
    else:
        moving_time_s = recorded_s if sport != "yoga" else 0.0
        max_speed = 0.0
    if n >= 2 and math.isfinite(distance[0]) and math.isfinite(distance[-1]):
        d, dt_d = distance, step
    else:
        ok = np.isfinite(distance)
        d = distance[ok]
        dt_d = np.diff(t[ok])
    if d.size >= 2:
        distance_m = max(float(d[-1] - d[0]), 0.0)
        distance_source = "device"
        _check_distance_jumps(d, dt_d, sport, flags)
    elif v0 is not None:
        distance_m = float(v0 @ hold)
        distance_source = "speed" if speed_source == "speed" else "gps"
    else:
        distance_m, distance_source = 0.0, "none"
    avg_speed = distance_m / moving_time_s if moving_time_s > 0 else 0.0
    pace = 1000.0 / avg_speed if avg_speed > 0 and sport in ("run", "walk") else None
    elevation_gain = _elevation_gain(altitude)
    c0 = np.fmax(cadence, 0.0)  # unknown (NaN) and negative cadences count as not turning
    cadence_top = float(_max(c0))
    if cadence_top == math.inf:
        c0 = np.where(np.isfinite(c0), c0, 0.0)
        cadence_top = float(c0.max())
    cadence_avg = cadence_max = None
    if cadence_top > 0:
        turning = c0 > 0
        cadence_s = float(hold @ turning)
        cadence_max = cadence_top
        cadence_avg = (
            float(c0 @ hold) / cadence_s
            if cadence_s > 0
            else float(c0.sum()) / np.count_nonzero(turning)
        )
    if has_speed or cadence_top > 0:
        _check_motion(v0, c0, cadence_top, max_speed, hold, sport, flags)

    # --- heart rate, as sensors send it: whole beats per minute. All heart-rate metrics are
    # functions of the beat rate alone, so they are computed once per bpm value on the time spent
    # at each (one bincount), not once per sample.
    rounded = np.fmax(hr, 0.0)  # NaN -> 0, "not measured"
    np.minimum(rounded, HR_MAX + 1, out=rounded)
    bins = np.rint(rounded, out=rounded).astype(np.intp)
    counts = np.bincount(bins, minlength=HR_BINS)
    valid = counts[HR_LOW : HR_BINS - 1]
    hr_samples = int(_sum(valid))
    bad_hr = int(_sum(counts[1:HR_LOW]) + counts[-1])
    if bad_hr:
        flags.append(
            Flag(
                "heart_rate_out_of_range",
                f"{bad_hr} heart-rate reading(s) outside {HR_MIN:.0f}-{HR_MAX:.0f} bpm, which no "
                "human heart produces; they were ignored.",
            )
        )
    has_hr = hr_samples > 0
    tables = _heart_tables(athlete)
    zone_seconds: tuple[float, ...] = (0.0,) * HEART_RATE_ZONES
    trimp = edwards = load = 0.0
    hr_avg = hr_top = None
    hr_s = 0.0
    keytel_part = 0.0
    if has_hr:
        seconds = cast(Array, np.bincount(bins, weights=hold, minlength=HR_BINS))
        seconds = seconds[HR_LOW : HR_BINS - 1]
        hr_s = float(_sum(seconds))
        # One matrix product gives every heart-rate total (see _heart_tables for the rows).
        totals = (tables.matrix @ seconds).tolist()
        hr_avg = totals[0] / hr_s if hr_s > 0 else float(BPM @ valid) / hr_samples
        hr_top = float(BPM[valid.nonzero()[0][-1]])
        if tables.zone_bounds is not None:
            zone_seconds = tuple(totals[1:6])
        if tables.lthr is not None:
            trimp, edwards = totals[6], totals[7]
            load = 100.0 * trimp / tables.hour_at_lthr if tables.hour_at_lthr > 0 else 0.0
        keytel_part = totals[8]

    # --- effort and energy: MET per sample from the sport (and speed or power), raised to the
    # heart-rate estimate where Keytel's equation applies; points are MET-minutes above rest.
    met_table = _met_table(sport, indoor, v, v0, power, athlete)
    kcal_per_met_min = tables.kcal_per_met_min
    if has_hr and tables.met_by_bin is not None:
        effort = np.maximum(tables.met_by_bin[bins], met_table)
        energy = keytel_part
        if hr_samples == n:
            energy_method = "keytel"
        else:
            no_hr = (bins < HR_LOW) | (bins > HR_MAX)
            energy += kcal_per_met_min * float(met_table @ (hold * no_hr)) / 60.0
            energy_method = "keytel+met"
    else:
        effort = met_table
        energy = kcal_per_met_min * float(met_table @ hold) / 60.0
        energy_method = "met"
    # effort >= 1 MET everywhere, so "above rest" is a subtraction of the recorded time.
    met_minutes = (float(effort @ hold) - recorded_s) / 60.0
    active = effort >= MODERATE_MET
    if moving is not None:
        active |= moving
    active_minutes = float(hold @ active) / 60.0
    mindful_minutes = recorded_s / 60.0 if sport == "yoga" else 0.0

    rmssd, sdnn, beats, artefacts = _hrv(rr)
    points = round(met_minutes)
    return WorkoutScore(
        sport=sport,
        indoor=indoor,
        samples=n,
        duration_s=duration_s,
        recorded_s=recorded_s,
        moving_time_s=moving_time_s,
        distance_m=distance_m,
        distance_source=distance_source,
        avg_speed_mps=avg_speed,
        max_speed_mps=max_speed,
        pace_s_per_km=pace,
        elevation_gain_m=elevation_gain,
        cadence_avg=cadence_avg,
        cadence_max=cadence_max,
        hr_seconds=hr_s,
        hr_avg=hr_avg,
        hr_max=hr_top,
        resting_hr_used=tables.rest,
        resting_hr_estimated=athlete.resting_hr is None,
        max_hr_used=tables.max_hr,
        max_hr_estimated=tables.max_estimated,
        lthr_used=tables.lthr if has_hr else None,
        lthr_estimated=athlete.lthr is None,
        sex_used=athlete.sex,
        zone_method=tables.zone_method,
        zone_bounds=tables.zone_bounds,
        zone_seconds=zone_seconds,
        trimp_banister=trimp,
        trimp_edwards=edwards,
        training_load=load,
        energy_kcal=energy,
        energy_method=energy_method,
        weight_estimated=not athlete.weight_kg,
        rmssd_ms=rmssd,
        sdnn_ms=sdnn,
        rr_beats=beats,
        rr_artefacts=artefacts,
        active_minutes=active_minutes,
        mindful_minutes=mindful_minutes,
        met_minutes=met_minutes,
        points=points,
        effort_distance_m=points * METRES_PER_POINT,
        flags=tuple(flags),
    )


# Reductions as the ufuncs' own methods: ``a.sum()`` and friends add ~1 us of Python wrapper per
# call on top of the same reduction, and scoring an hour makes about twenty of them.
_sum = np.add.reduce
_max = np.maximum.reduce
_min = np.minimum.reduce
_any = np.logical_or.reduce

HR_LOW = int(HR_MIN)
HR_BINS = int(HR_MAX) + 2  # bins 0..230 and 231 for "above the human range"
BPM = np.arange(HR_LOW, HR_BINS - 1, dtype=np.float64)
_NO_SECONDS = np.zeros(BPM.size)
_ZONE_NUMBERS = np.arange(1, HEART_RATE_ZONES + 1)[:, np.newaxis]
_BLOCK_MEAN = np.full(SMOOTH_ALTITUDE_SAMPLES, 1.0 / SMOOTH_ALTITUDE_SAMPLES)


@dataclass(frozen=True)
class _HeartTables:
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
def _heart_tables(athlete: Athlete) -> _HeartTables:
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
            _keytel_kcal_per_min(BPM, athlete.age, athlete.weight_kg, athlete.sex),
            kcal_per_met_min,
        )
        matrix[8] = kcal / 60.0
        met_by_bin = np.zeros(HR_BINS)
        met_by_bin[HR_LOW : HR_BINS - 1] = kcal / kcal_per_met_min
    return _HeartTables(
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


def _score_without_samples(
    rr: Array | Sequence[float] | None, athlete: Athlete, sport: str, indoor: bool, elapsed_s: float
) -> WorkoutScore:
    """A workout with a start and end but no samples: the sport's MET value over its duration."""
    met = MET_RIDE_INDOOR if sport == "ride" and indoor else MET_TABLE[sport]
    weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
    minutes = elapsed_s / 60.0
    met_minutes = (met - 1.0) * minutes
    points = round(met_minutes)
    rmssd, sdnn, beats, artefacts = _hrv(rr)
    return WorkoutScore(
        sport=sport,
        indoor=indoor,
        samples=0,
        duration_s=elapsed_s,
        recorded_s=0.0,
        moving_time_s=0.0,
        distance_m=0.0,
        distance_source="none",
        avg_speed_mps=0.0,
        max_speed_mps=0.0,
        pace_s_per_km=None,
        elevation_gain_m=0.0,
        cadence_avg=None,
        cadence_max=None,
        hr_seconds=0.0,
        hr_avg=None,
        hr_max=None,
        resting_hr_used=athlete.resting_hr or RESTING_HR_DEFAULT,
        resting_hr_estimated=athlete.resting_hr is None,
        max_hr_used=athlete.max_hr,
        max_hr_estimated=False,
        lthr_used=None,
        lthr_estimated=athlete.lthr is None,
        sex_used=athlete.sex,
        zone_method="none",
        zone_bounds=None,
        zone_seconds=(0.0,) * HEART_RATE_ZONES,
        trimp_banister=0.0,
        trimp_edwards=0.0,
        training_load=0.0,
        energy_kcal=met * KCAL_PER_KG_MIN_PER_MET * weight * minutes,
        energy_method="met",
        weight_estimated=not athlete.weight_kg,
        rmssd_ms=rmssd,
        sdnn_ms=sdnn,
        rr_beats=beats,
        rr_artefacts=artefacts,
        active_minutes=minutes if met >= MODERATE_MET else 0.0,
        mindful_minutes=minutes if sport == "yoga" else 0.0,
        met_minutes=met_minutes,
        points=points,
        effort_distance_m=points * METRES_PER_POINT,
        flags=(),
    )


# --- Pieces -------------------------------------------------------------------------------------
def _speed(
    speed: Array, distance: Array, lat: Array, lon: Array, step: Array, n: int
) -> tuple[Array, str]:
    """Per-sample speed: measured, else from the distance counter, else from GPS positions."""
    if math.isfinite(_sum(speed)):
        return speed, "speed"
    if np.isfinite(speed).any():  # gaps (NaN) are "not measured"; so are infinities
        return np.where(np.isfinite(speed), speed, np.nan), "speed"
    if n < 2:
        return speed, "none"
    if np.isfinite(distance).any():
        derived = np.empty(n)
        with np.errstate(invalid="ignore"):  # infinite counters give NaN: not measured
            np.divide(np.diff(distance), step, out=derived[:-1])
        derived[-1] = derived[-2]
        return np.where(np.isfinite(derived), derived, np.nan), "distance"
    if np.isfinite(lat).any() and np.isfinite(lon).any():
        derived = np.empty(n)
        with np.errstate(invalid="ignore"):  # infinite coordinates give NaN: not measured
            np.divide(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]), step, out=derived[:-1])
        derived[-1] = derived[-2]
        return np.where(np.isfinite(derived), derived, np.nan), "gps"
    return speed, "none"


def haversine_m(lat1: Array, lon1: Array, lat2: Array, lon2: Array) -> Array:
    """Great-circle distances in metres on a sphere of the mean Earth radius."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _elevation_gain(altitude: Array) -> float:
    """Sum of monotone climbs of at least CLIMB_THRESHOLD_M in block-averaged altitude."""
    a = altitude
    if not math.isfinite(_sum(a)):
        a = a[np.isfinite(a)]
    k = SMOOTH_ALTITUDE_SAMPLES
    if a.size >= 2 * k:
        # Block means: the sensor's noise averages out, a real climb does not.
        a = a[: a.size // k * k].reshape(-1, k) @ _BLOCK_MEAN
    if a.size < 2:
        return 0.0
    rise = a[1:] - a[:-1]
    up = np.zeros(rise.size + 2, dtype=np.int8)
    up[1:-1] = rise > 0
    climbed = np.zeros(rise.size + 1)
    np.cumsum(rise * up[1:-1], out=climbed[1:])
    edges = (up[1:] != up[:-1]).nonzero()[0]  # starts and ends of runs of rising altitude
    climbs = climbed[edges[1::2]] - climbed[edges[::2]]
    return float(_sum(climbs[climbs >= CLIMB_THRESHOLD_M]))


def _met_table(
    sport: str, indoor: bool, v: Array, v0: Array | None, power: Array, athlete: Athlete
) -> Array:
    """Per-sample MET from the sport: ACSM equations with speed, power on a bike, else the table.

    ``v`` is the speed with NaN where unknown, ``v0`` the same with 0 there (None: no speed).
    """
    default = MET_RIDE_INDOOR if sport == "ride" and indoor else MET_TABLE[sport]
    if sport in ("run", "walk") and v0 is not None:
        # ACSM: VO2 = 3.5 + 0.1 (walking) or 0.2 (running) ml/kg/min per m/min; MET = VO2 / 3.5.
        # Speeds no human produces must not earn effort, so speed is capped at the sport's limit.
        met = np.minimum(v0, MAX_SPEED_MPS[sport])
        if sport == "run":  # the running equation's 0.2 is twice the walking equation's 0.1
            met *= (met >= RUN_WALK_SPEED_SPLIT_MPS) + 1.0
        met *= 0.1 * 60.0 / 3.5
        met += 1.0
        if not math.isfinite(_sum(v)):
            met = np.where(np.isnan(v), default, met)  # unknown speed: the sport's typical MET
        return met
    if sport == "ride" and np.isfinite(power).any():
        weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
        per_watt = 1.0 / (
            CYCLING_GROSS_EFFICIENCY * WATTS_PER_KCAL_MIN * KCAL_PER_KG_MIN_PER_MET * weight
        )
        met = np.fmax(power * per_watt, 1.0)  # fmax: unknown (NaN) power counts as 1 MET here
        return np.where(np.isfinite(power), met, default)
    return np.full(power.size, default)


def _keytel_kcal_per_min(hr: Array, age: float, weight: float, sex: str | None) -> Array:
    """Keytel et al. 2005 energy expenditure (kcal/min) from heart rate, without VO2max."""
    sexes = [sex] if sex else list(KEYTEL)
    total: Array | None = None
    for s in sexes:
        c0, c_hr, c_w, c_age = KEYTEL[s]
        term = c0 + c_w * weight + c_age * age
        total = term + c_hr * hr if total is None else total + term + c_hr * hr
    assert total is not None
    return total / (len(sexes) * KJ_PER_KCAL)


def keytel_kcal_per_min(hr: float, *, age: float, weight_kg: float, sex: str | None) -> float:
    """Keytel et al. 2005 for one heart rate (kcal/min), the mean of both sexes when unknown."""
    return float(_keytel_kcal_per_min(np.array([float(hr)]), age, weight_kg, sex)[0])


def _hrv(rr: Array | Sequence[float] | None) -> tuple[float | None, float | None, int, int]:
    """RMSSD and SDNN (ms) of the RR intervals left after artefact filtering, and the counts."""
    if rr is None or len(rr) == 0:
        return None, None, 0, 0
    r = np.asarray(rr, dtype=np.float64)
    if not math.isfinite(float(_sum(r))):  # cheaper than isfinite().all(); NaN and inf poison it
        r = np.where(np.isfinite(r), r, 0.0)  # a missing interval is an artefact, not a crash
    accepted = r >= RR_MIN_MS
    accepted &= r <= RR_MAX_MS
    change = r[1:] - r[:-1]
    accepted[1:] &= np.abs(change) <= RR_MAX_CHANGE * r[:-1]
    beats = int(np.count_nonzero(accepted))
    if beats < HRV_MIN_BEATS:
        return None, None, beats, r.size - beats
    # Masked dot products instead of fancy indexing: the same sums, without the copies. The
    # masks are cast to float64 once (a dot product with a bool array casts it on every call).
    pairs = accepted[1:] & accepted[:-1]
    n_pairs = int(np.count_nonzero(pairs))
    np.multiply(change, change, out=change)
    rmssd = math.sqrt(float(change @ pairs.astype(np.float64)) / n_pairs) if n_pairs else None
    weights = accepted.astype(np.float64)
    deviation = r - float(r @ weights) / beats
    np.multiply(deviation, deviation, out=deviation)
    sdnn = math.sqrt(float(deviation @ weights) / (beats - 1))
    return rmssd, sdnn, beats, r.size - beats


def _check_clock(
    t: Array, step: Array, span_s: float, now: float | None, flags: list[Flag]
) -> None:
    if t[0] < EARLIEST_T:
        flags.append(
            Flag(
                "clock_error", "Sample times are before the year 2000: the device clock is not set."
            )
        )
    limit = (time.time() if now is None else now) + FUTURE_TOLERANCE_S
    if t[-1] > limit:
        flags.append(
            Flag("clock_error", "Sample times lie in the future: the device clock is off.")
        )
    if span_s > MAX_DURATION_S:
        flags.append(Flag("clock_error", f"The samples span {span_s / 3600:.0f} hours."))
    if step.size and _max(step) > GAP_FLAG_S:
        flags.append(
            Flag(
                "gap",
                f"Recording stopped for {step.max() / 60:.0f} minutes in the middle: the parts "
                "before and after may be separate activities.",
            )
        )


def _check_distance_jumps(d: Array, step: Array, sport: str, flags: list[Flag]) -> None:
    delta = d[1:] - d[:-1]
    if delta.size == 0:
        return
    if np.fmax.reduce(delta) > JUMP_MIN_M:
        jumps = (delta > JUMP_MIN_M) & (delta > MAX_SPEED_MPS[sport] * step)
        if _any(jumps):
            flags.append(
                Flag(
                    "distance_jump",
                    f"The distance jumped {float(delta[jumps].max()):.0f} m faster than anyone "
                    f"can {sport}.",
                )
            )
    if np.fmin.reduce(delta) < -JUMP_MIN_M / 10:
        flags.append(Flag("distance_jump", "The distance counter went backwards."))


def _check_motion(
    v0: Array | None,
    c0: Array,
    cadence_top: float,
    max_speed: float,
    hold: Array,
    sport: str,
    flags: list[Flag],
) -> None:
    if v0 is not None and max_speed > MAX_SPEED_MPS[sport]:
        fast_s = float(hold @ (v0 > MAX_SPEED_MPS[sport]))
        if fast_s > IMPLAUSIBLE_FOR_S:
            flags.append(
                Flag(
                    "speed_implausible",
                    f"{fast_s:.0f} s faster than {MAX_SPEED_MPS[sport] * 3.6:.0f} km/h, which no "
                    f"one reaches on a {sport}.",
                )
            )
    if cadence_top > MAX_CADENCE[sport]:
        high_s = float(hold @ (c0 > MAX_CADENCE[sport]))
        if high_s > IMPLAUSIBLE_FOR_S:
            flags.append(
                Flag(
                    "cadence_implausible",
                    f"{high_s:.0f} s with cadence above {MAX_CADENCE[sport]:.0f}, beyond human "
                    "limits.",
                )
            )
    if v0 is not None and cadence_top > 0 and sport in ("run", "walk", "ride"):
        least = MIN_TURNING_CADENCE[sport]
        limit = MAX_DEVELOPMENT_M if sport == "ride" else MAX_STEP_LENGTH_M
        # speed / (cadence / 60) > limit, written without a division by a zero cadence
        odd = (c0 >= least) & (v0 * 60.0 > c0 * limit)
        if _any(odd):
            odd_s = float(hold @ odd)
            if odd_s > IMPLAUSIBLE_FOR_S:
                what = "metres per pedal turn" if sport == "ride" else "metres per step"
                flags.append(
                    Flag(
                        "cadence_speed_mismatch",
                        f"{odd_s:.0f} s at a speed and cadence that mean over {limit:.0f} {what}: "
                        "the sensor was probably not on a person.",
                    )
                )


# --- Explanations ---------------------------------------------------------------------------------
def _explain(s: WorkoutScore) -> dict[str, str]:
    e: dict[str, str] = {}
    e["duration"] = (
        f"{_clock(s.duration_s)} from start to finish; {_clock(s.recorded_s)} of it has samples "
        f"(silences over {GAP_S:.0f} s count as paused)."
    )
    if s.distance_source == "none" and s.sport != "yoga":
        e["moving_time"] = (
            "Nothing measured speed, distance or position, so all recorded time counts as moving."
        )
    elif s.sport == "yoga" and s.distance_source == "none":
        e["moving_time"] = "Yoga has no moving time."
    else:
        e["moving_time"] = (
            f"{_clock(s.moving_time_s)} at {MOVING_SPEED_MPS} m/s or faster; stops are left out."
        )
    source = {
        "device": "your device's distance counter",
        "speed": "speed x time",
        "gps": "GPS positions",
    }.get(s.distance_source)
    e["distance"] = (
        f"{s.distance_m / 1000:.2f} km from {source}."
        if source
        else "No distance: nothing measured speed, distance or position."
    )
    e["speed"] = (
        f"Average {s.avg_speed_mps * 3.6:.1f} km/h (distance / moving time), top "
        f"{s.max_speed_mps * 3.6:.1f} km/h."
    )
    e["pace"] = (
        f"{_clock(s.pace_s_per_km)} per km: moving time divided by kilometres."
        if s.pace_s_per_km is not None
        else "Pace is shown for runs and walks with a distance."
    )
    e["elevation_gain"] = (
        f"{s.elevation_gain_m:.0f} m climbed: altitude averaged over blocks of "
        f"{SMOOTH_ALTITUDE_SAMPLES} samples to remove sensor noise, counting each steady climb of "
        f"at least {CLIMB_THRESHOLD_M:.0f} m."
    )
    if s.cadence_avg is not None and s.cadence_max is not None:
        unit = "rpm" if s.sport == "ride" else "steps/min"
        e["cadence"] = (
            f"Average {s.cadence_avg:.0f} {unit} over the time you were "
            f"{'pedalling' if s.sport == 'ride' else 'stepping'}, top {s.cadence_max:.0f}."
        )
    else:
        e["cadence"] = "No cadence was recorded."
    if s.hr_avg is not None and s.hr_max is not None:
        e["heart_rate"] = (
            f"Average {s.hr_avg:.0f} bpm (weighted by time), highest {s.hr_max:.0f} bpm."
        )
    else:
        e["heart_rate"] = "No heart rate was recorded."
    e["zones"] = _explain_zones(s)
    if s.lthr_used is not None and s.max_hr_used is not None:
        rest = (
            f"a typical resting heart rate of {RESTING_HR_DEFAULT:.0f} bpm (set yours)"
            if s.resting_hr_estimated
            else f"your resting heart rate {s.resting_hr_used:.0f}"
        )
        maximum = (
            f"a maximum of {s.max_hr_used:.0f} estimated from your age (208 - 0.7 x age)"
            if s.max_hr_estimated
            else f"your maximum heart rate {s.max_hr_used:.0f}"
        )
        sex = (
            f"the {s.sex_used} coefficients"
            if s.sex_used
            else "the mean of the male and female coefficients (sex not set)"
        )
        e["trimp_banister"] = (
            f"{s.trimp_banister:.0f}: every second's share x of your heart-rate reserve (from "
            f"{rest} and {maximum}) weighted by a*x*e^(b*x) with {sex}, summed in minutes."
        )
        e["trimp_edwards"] = (
            f"{s.trimp_edwards:.0f}: minutes in each zone of maximum heart rate (50-60 % up to "
            "90-100 %) times the zone number 1-5, summed."
        )
        threshold = (
            f"estimated at {LTHR_FRACTION_OF_MAX:.0%} of maximum heart rate"
            if s.lthr_estimated
            else "your lactate-threshold heart rate"
        )
        e["training_load"] = (
            f"{s.training_load:.0f}: your Banister TRIMP as a share of one hour at "
            f"{s.lthr_used:.0f} bpm ({threshold}); 100 is as hard as an hour at threshold."
        )
    else:
        why = (
            "no heart rate was recorded"
            if s.hr_avg is None
            else "it needs your age or maximum heart rate"
        )
        for key in ("trimp_banister", "trimp_edwards", "training_load"):
            e[key] = f"Not computed: {why}."
    weight = " and an assumed 70 kg (set your weight)" if s.weight_estimated else ""
    if s.energy_method == "met":
        e["energy"] = (
            f"{s.energy_kcal:.0f} kcal from the typical effort of {s.sport} (MET values, "
            f"Ainsworth 2011) or your speed or power{weight}."
        )
    else:
        extra = " (MET estimates where heart rate was missing)" if "met" in s.energy_method else ""
        e["energy"] = (
            f"{s.energy_kcal:.0f} kcal from your heart rate, age, weight and sex "
            f"({s.sex_used or 'mean of both'}) with Keytel's 2005 equation{extra}."
        )
    if s.rmssd_ms is not None and s.sdnn_ms is not None:
        e["hrv"] = (
            f"RMSSD {s.rmssd_ms:.0f} ms (beat-to-beat variation) and SDNN {s.sdnn_ms:.0f} ms "
            f"(overall spread) from {s.rr_beats} beats; {s.rr_artefacts} artefact(s) outside "
            f"{RR_MIN_MS:.0f}-{RR_MAX_MS:.0f} ms or over {RR_MAX_CHANGE:.0%} off the beat "
            "before were removed."
        )
    elif s.rr_beats or s.rr_artefacts:
        e["hrv"] = (
            f"Not computed: {s.rr_beats} clean beats after removing {s.rr_artefacts} "
            f"artefact(s); at least {HRV_MIN_BEATS} are needed."
        )
    else:
        e["hrv"] = "No RR intervals were recorded (a chest strap records them)."
    e["points"] = (
        f"{s.points} points: one per minute of effort above rest, weighted by intensity "
        "(MET - 1) from your heart rate, speed or power, or your sport's typical effort, "
        "whichever is higher. The same rule applies to every sport."
    )
    e["effort_distance"] = (
        f"{s.effort_distance_m / 1000:.2f} km on journeys: {METRES_PER_POINT} m per point, so "
        "effort moves you, not only distance."
    )
    e["active_minutes"] = (
        f"{s.active_minutes:.0f} min moving or at moderate intensity or above (3 MET or more)."
    )
    if s.sport == "yoga":
        e["mindful_minutes"] = f"{s.mindful_minutes:.0f} min of yoga."
    elif s.mindful_minutes > 0:
        e["mindful_minutes"] = (
            f"{s.mindful_minutes:.0f} min of breathing practice in the class (its segments with "
            "a breathing pattern)."
        )
    else:
        e["mindful_minutes"] = (
            "Only yoga and the breathing segments of a class count mindful minutes."
        )
    e["flags"] = (
        " ".join(flag.reason for flag in s.flags)
        + " The workout is kept but counts for no leaderboard until an organizer accepts it."
        if s.flags
        else "All plausibility checks passed."
    )
    return e


def _explain_zones(s: WorkoutScore) -> str:
    if s.zone_bounds is None:
        return "No zones: set your age or maximum heart rate in your profile."
    how = {
        "karvonen": "50/60/70/80/90 % of your heart-rate reserve (Karvonen)",
        "percent_max": "50/60/70/80/90 % of your maximum heart rate (no resting heart rate set)",
        "custom": "your own zone bounds",
    }[s.zone_method]
    opens = ", ".join(f"{b:.0f}" for b in s.zone_bounds)
    if s.hr_avg is None:
        return f"Zones open at {opens} bpm ({how}); no heart rate was recorded."
    spent = ", ".join(f"Z{i} {sec / 60:.0f} min" for i, sec in enumerate(s.zone_seconds, start=1))
    return f"{spent}. Zones open at {opens} bpm: {how}."


def _clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- Levels and live progress ----------------------------------------------------------------------
def xp_for_level(level: int) -> int:
    """Total XP needed to reach ``level`` (level 1 needs none)."""
    if level < 1:
        raise ValueError("levels start at 1")
    return round(XP_LEVEL_BASE * (level - 1) ** XP_LEVEL_EXPONENT)


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
        v, source = _speed(
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
        # _met_table, for the first row
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
        met = _met_table(self.sport, self.indoor, v, v0, power, self.athlete)
        athlete = self.athlete
        if athlete.age is None or not athlete.weight_kg:
            return met
        hr = np.rint(hr)  # whole beats per minute, as in score_workout
        hr_ok = (hr >= HR_MIN) & (hr <= HR_MAX)
        per_met = KCAL_PER_KG_MIN_PER_MET * athlete.weight_kg
        hr_met = (
            _keytel_kcal_per_min(
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


# --- Fitness over time, and the hand-off ---------------------------------------------------------------
@dataclass(frozen=True)
class FitnessSeries:
    fitness: tuple[float, ...]  # CTL: 42-day exponentially weighted load
    fatigue: tuple[float, ...]  # ATL: 7-day exponentially weighted load
    form: tuple[float, ...]  # TSB: yesterday's fitness minus yesterday's fatigue


def fitness_fatigue_form(
    daily_load: Sequence[float], *, fitness_start: float = 0.0, fatigue_start: float = 0.0
) -> FitnessSeries:
    """CTL/ATL/TSB from one training-load total per consecutive day (rest days as 0)."""
    fitness, fatigue, form = [], [], []
    ctl, atl = fitness_start, fatigue_start
    for load in daily_load:
        if not math.isfinite(load) or load < 0:
            raise ValueError("daily load must be finite and not negative")
        form.append(ctl - atl)
        ctl += (load - ctl) / CTL_DAYS
        atl += (load - atl) / ATL_DAYS
        fitness.append(ctl)
        fatigue.append(atl)
    return FitnessSeries(tuple(fitness), tuple(fatigue), tuple(form))


def scored_workout(
    *,
    score: WorkoutScore,
    workout_id: int,
    user_id: int,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    accepted: bool = False,
) -> ScoredWorkout:
    """The hand-off to challenges and worlds; ``accepted`` is an organizer's override of flags."""
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
        counts_for_leaderboards=accepted or score.counts_for_leaderboards,
        flags=tuple(flag.code for flag in score.flags),
    )
