"""Workout scoring: physiology, points and progress from a workout's samples, in named steps.

Input is the shared workout frame (``COLUMNS``: float64 ``t, hr, cadence, speed, distance, power,
altitude, lat, lon``) plus the RR intervals, an :class:`Athlete` and the sport. Every formula,
constant and citation is in ``wellness/scoring/SCORING.md``; the constants carry the same names.

The whole computation is vectorised NumPy on arrays taken from the frame once: a worker scores
~1,000 one-hour workouts a second (``python -m benchmarks scoring``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from wellness.scoring.arrays import Array, max_, min_, sum_
from wellness.scoring.best_efforts import (
    DISTANCES_BY_SPORT,
    RIDE_POWER_WINDOWS,
    best_powers,
    fastest_times,
)
from wellness.scoring.heart import BPM, HR_BINS, HR_LOW, HeartTables, heart_tables
from wellness.scoring.hrv import hrv
from wellness.scoring.motion import met_per_sample, speed_per_sample
from wellness.scoring.plausibility import check_clock, check_distance_jumps, check_motion
from wellness.scoring.results import Athlete, Flag, UnscorableWorkout, WorkoutScore
from wellness.scoring.rules import (
    COLUMNS,
    HEART_RATE_ZONES,
    HR_MAX,
    HR_MIN,
    KCAL_PER_KG_MIN_PER_MET,
    MET_RIDE_INDOOR,
    MET_TABLE,
    METRES_PER_POINT,
    MODERATE_MET,
    MOVING_SPEED_MPS,
    RESTING_HR_DEFAULT,
    SAMPLELESS_MAX_S,
    WEIGHT_DEFAULT_KG,
)
from wellness.scoring.track import (
    counter_distance_m,
    elevation_gain_m,
    haversine_m,
    hold_limit_s,
    max_speed_mps,
    track_length_m,
)
from wellness.workouts.sports import SPORTS

Pauses = Sequence[tuple[float, float]]


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
    pauses: Pauses | None = None,
) -> WorkoutScore:
    """Score one workout from its frame (a pandas DataFrame with :data:`COLUMNS`).

    ``elapsed_s`` is the workout's wall-clock length (``ended_at - started_at``); it lets a
    workout without samples (yoga without a strap) be scored from its duration. ``pauses`` are
    the device timer's (stopped, restarted) times when the recording has timer events (an empty
    sequence: it ran throughout); ``None`` means no timer information, and the gap rule decides
    what counts as paused. Raises :class:`UnscorableWorkout` when there is nothing to score.
    """
    return score_arrays(
        _frame_arrays(frame),
        rr,
        athlete,
        sport,
        indoor=indoor,
        elapsed_s=elapsed_s,
        now=now,
        pauses=pauses,
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
    pauses: Pauses | None = None,
) -> WorkoutScore:
    """:func:`score_workout` on a ``(9, n)`` array whose rows are :data:`COLUMNS`."""
    # Broken values (inf - inf in a cheap finiteness test, say) are handled where they matter;
    # NumPy's warnings about them would only be noise in the worker's log.
    with np.errstate(all="ignore"):
        return _score_arrays(data, rr, athlete, sport, indoor, elapsed_s, now, pauses)


def _score_arrays(
    data: Array,
    rr: Array | Sequence[float] | None,
    athlete: Athlete,
    sport: str,
    indoor: bool,
    elapsed_s: float | None,
    now: float | None,
    pauses: Pauses | None,
) -> WorkoutScore:
    _check_inputs(data, sport, elapsed_s)
    data = _timed_samples(data)
    if data.shape[1] == 0:
        if elapsed_s is None:
            raise UnscorableWorkout(
                "The workout has no samples with a time and no start and end to score it by.",
                code="no_samples",
            )
        return _score_without_samples(rr, athlete, sport, indoor, elapsed_s)
    flags: list[Flag] = []
    data = _in_time_order(data, flags)
    timing = _timing(data[0], now, pauses, flags)
    movement = _movement(data, timing, sport, flags)
    tables = heart_tables(athlete)
    heart = _heart_rate(data[1], timing.hold, tables, flags)
    effort = _effort(data, timing, movement, heart, tables, athlete, sport, indoor)
    rmssd, sdnn, beats, artefacts = hrv(rr)
    points = round(effort.met_minutes)
    best_times, watts = _best_efforts(data, timing, movement, sport)
    return WorkoutScore(
        sport=sport,
        indoor=indoor,
        samples=timing.samples,
        duration_s=timing.duration_s,
        recorded_s=timing.recorded_s,
        moving_time_s=movement.moving_time_s,
        distance_m=movement.distance_m,
        distance_source=movement.distance_source,
        avg_speed_mps=movement.avg_speed,
        max_speed_mps=movement.max_speed,
        pace_s_per_km=movement.pace,
        elevation_gain_m=movement.climbed_m,
        cadence_avg=movement.cadence_avg,
        cadence_max=movement.cadence_max,
        hr_seconds=heart.seconds,
        hr_avg=heart.avg,
        hr_max=heart.top,
        resting_hr_used=tables.rest,
        resting_hr_estimated=athlete.resting_hr is None,
        max_hr_used=tables.max_hr,
        max_hr_estimated=tables.max_estimated,
        lthr_used=tables.lthr if heart.samples else None,
        lthr_estimated=athlete.lthr is None,
        sex_used=athlete.sex,
        zone_method=tables.zone_method,
        zone_bounds=tables.zone_bounds,
        zone_seconds=heart.zone_seconds,
        trimp_banister=heart.trimp,
        trimp_edwards=heart.edwards,
        training_load=heart.load,
        energy_kcal=effort.energy_kcal,
        energy_method=effort.energy_method,
        weight_estimated=not athlete.weight_kg,
        rmssd_ms=rmssd,
        sdnn_ms=sdnn,
        rr_beats=beats,
        rr_artefacts=artefacts,
        active_minutes=effort.active_minutes,
        mindful_minutes=effort.mindful_minutes,
        met_minutes=effort.met_minutes,
        points=points,
        effort_distance_m=points * METRES_PER_POINT,
        flags=tuple(flags),
        timer_pauses=pauses is not None,
        energy_met_kcal=effort.energy_met_kcal,
        energy_met_s=effort.energy_met_s,
        best_times=best_times,
        best_powers=watts,
    )


# --- The steps ----------------------------------------------------------------------------------
def _check_inputs(data: Array, sport: str, elapsed_s: float | None) -> None:
    if sport not in SPORTS:
        raise UnscorableWorkout(
            f"Unknown sport {sport!r}; one of {', '.join(SPORTS)}.", code="sport"
        )
    if elapsed_s is not None and not (math.isfinite(elapsed_s) and elapsed_s >= 0):
        raise UnscorableWorkout("The workout's elapsed time must be zero or more.", code="elapsed")
    if data.ndim != 2 or data.shape[0] != len(COLUMNS):
        raise UnscorableWorkout("The workout data has the wrong shape.", code="bad_frame")


def _timed_samples(data: Array) -> Array:
    """The samples that have a time."""
    t = data[0]
    if not math.isfinite(sum_(t)):  # cheaper than isfinite().all(); NaN and inf poison the sum
        return data[:, np.isfinite(t)]
    return data


def _in_time_order(data: Array, flags: list[Flag]) -> Array:
    """Samples sorted by time with duplicate times dropped (flagged as a clock error)."""
    t = data[0]
    if t.size < 2:
        return data
    step = t[1:] - t[:-1]
    if min_(step) > 0:
        return data
    flags.append(
        Flag(
            "clock_error",
            f"{int((step <= 0).sum())} sample(s) came with a time not after the one before "
            "(clock error or duplicate); they were put in order and duplicates dropped.",
        )
    )
    _, first = np.unique(t, return_index=True)
    return data[:, first]


@dataclass(frozen=True, slots=True)
class _Timing:
    samples: int
    step: Array  # seconds from each sample to the next
    hold: Array  # seconds each sample stands for: until the next one, less pauses
    recorded_s: float
    duration_s: float


def _timing(t: Array, now: float | None, pauses: Pauses | None, flags: list[Flag]) -> _Timing:
    """A sample stands for the time until the next one, less the timer's pauses; without timer
    events, for at most the gap rule's limit (``hold_limit_s``)."""
    n = t.size
    step = t[1:] - t[:-1]
    hold = np.empty(n)
    if pauses is None:
        np.minimum(step, hold_limit_s(step), out=hold[:-1])
    else:
        hold[:-1] = step
        _leave_out_pauses(t, hold, pauses)
    hold[-1] = 0.0
    span_s = float(t[-1] - t[0])
    # With the timer's word for it, a gap is only what is left of a step once pauses are out.
    check_clock(t, step if pauses is None else hold[:-1], span_s, now, flags)
    return _Timing(
        samples=n,
        step=step,
        hold=hold,
        recorded_s=float(sum_(hold)),
        duration_s=span_s,  # the samples, not the client's start and end, say how long it was
    )


def _leave_out_pauses(t: Array, hold: Array, pauses: Pauses) -> None:
    """Shorten each sample's hold by the part of the timer's pauses it overlaps."""
    for stopped, restarted in pauses:
        first = max(int(np.searchsorted(t, stopped, side="right")) - 1, 0)
        last = int(np.searchsorted(t, restarted, side="left"))
        for i in range(first, min(last, t.size - 1)):
            overlap = min(t[i + 1], restarted) - max(t[i], stopped)
            if overlap > 0:
                hold[i] = max(hold[i] - overlap, 0.0)


@dataclass(frozen=True, slots=True)
class _Movement:
    v: Array  # speed per sample, NaN where unknown
    v0: Array | None  # the same with 0 where unknown; None: nothing measured speed
    moving: npt.NDArray[np.bool_] | None
    moving_time_s: float
    max_speed: float
    distance_m: float
    distance_source: str
    covered: Array | None  # the distance counter (cumulative m) at times covered_t, if any
    covered_t: Array
    avg_speed: float
    pace: float | None
    climbed_m: float
    cadence_avg: float | None
    cadence_max: float | None


def _movement(data: Array, timing: _Timing, sport: str, flags: list[Flag]) -> _Movement:
    t, _, cadence, speed, distance, _, altitude, lat, lon = data
    hold, step = timing.hold, timing.step
    v, speed_source = speed_per_sample(speed, distance, lat, lon, step, timing.samples)
    v0: Array | None = None
    moving: npt.NDArray[np.bool_] | None = None
    if speed_source != "none":
        v0 = np.fmax(v, 0.0)  # unknown (NaN) and negative speeds count as standing still
        moving = v0 >= MOVING_SPEED_MPS
        moving_time_s = float(hold @ moving)
        max_speed = max_speed_mps(v0, from_gps=speed_source == "gps")
    else:
        moving_time_s = timing.recorded_s if sport != "yoga" else 0.0
        max_speed = 0.0
    measured = _distance(t, step, distance, hold, v0, lat, lon, sport, flags)
    distance_m, distance_source, covered, covered_t = measured
    avg_speed = distance_m / moving_time_s if moving_time_s > 0 else 0.0
    c0, cadence_top, cadence_avg = _cadence(cadence, hold)
    if v0 is not None or cadence_top > 0:
        check_motion(v0, c0, cadence_top, max_speed, hold, sport, flags)
    return _Movement(
        v=v,
        v0=v0,
        moving=moving,
        moving_time_s=moving_time_s,
        max_speed=max_speed,
        distance_m=distance_m,
        distance_source=distance_source,
        covered=covered,
        covered_t=covered_t,
        avg_speed=avg_speed,
        pace=1000.0 / avg_speed if avg_speed > 0 and sport in ("run", "walk") else None,
        climbed_m=elevation_gain_m(altitude, t),
        cadence_avg=cadence_avg,
        cadence_max=cadence_top if cadence_top > 0 else None,
    )


def _distance(
    t: Array,
    step: Array,
    distance: Array,
    hold: Array,
    v0: Array | None,
    lat: Array,
    lon: Array,
    sport: str,
    flags: list[Flag],
) -> tuple[float, str, Array | None, Array]:
    """The device's distance counter where it has one, else the track's length, else speed x
    time; and the counter itself (with its times) for best efforts. Pauses and gaps change
    moving time, never how far one went."""
    if t.size >= 2 and math.isfinite(distance[0]) and math.isfinite(distance[-1]):
        d, t_d, dt_d = distance, t, step
    else:
        ok = np.isfinite(distance)
        d, t_d = distance[ok], t[ok]
        dt_d = np.diff(t_d)
    counted = counter_distance_m(d, sport=sport) if d.size >= 2 else None
    if counted is not None:
        check_distance_jumps(d, dt_d, sport, flags)
        return counted, "device", d, t_d
    length = track_length_m(lat, lon)
    if length is not None:
        return length, "gps", None, t
    if v0 is not None:
        return float(v0 @ hold), "speed", None, t
    return 0.0, "none", None, t


def _cadence(cadence: Array, hold: Array) -> tuple[Array, float, float | None]:
    """Cadence with unknown as 0, its top, and its time-weighted average while turning."""
    c0 = np.fmax(cadence, 0.0)  # unknown (NaN) and negative cadences count as not turning
    top = float(max_(c0))
    if top == math.inf:
        c0 = np.where(np.isfinite(c0), c0, 0.0)
        top = float(c0.max())
    if top <= 0:
        return c0, top, None
    turning = c0 > 0
    cadence_s = float(hold @ turning)
    if cadence_s > 0:
        return c0, top, float(c0 @ hold) / cadence_s
    return c0, top, float(c0.sum()) / np.count_nonzero(turning)


@dataclass(frozen=True, slots=True)
class _HeartRate:
    bins: npt.NDArray[np.intp]  # whole bpm per sample; out-of-range and unknown outside BPM
    samples: int  # samples with a human heart rate
    seconds: float
    avg: float | None
    top: float | None
    zone_seconds: tuple[float, ...]
    trimp: float
    edwards: float
    load: float
    keytel_kcal: float


def _heart_rate(hr: Array, hold: Array, tables: HeartTables, flags: list[Flag]) -> _HeartRate:
    """Every heart-rate total, computed once per whole bpm on the time spent at it (one bincount):
    all heart-rate metrics are functions of the beat rate alone, as sensors send it."""
    rounded = np.fmax(hr, 0.0)  # NaN -> 0, "not measured"
    np.minimum(rounded, HR_MAX + 1, out=rounded)
    bins = np.rint(rounded, out=rounded).astype(np.intp)
    counts = np.bincount(bins, minlength=HR_BINS)
    valid = counts[HR_LOW : HR_BINS - 1]
    hr_samples = int(sum_(valid))
    bad_hr = int(sum_(counts[1:HR_LOW]) + counts[-1])
    if bad_hr:
        flags.append(
            Flag(
                "heart_rate_out_of_range",
                f"{bad_hr} heart-rate reading(s) outside {HR_MIN:.0f}-{HR_MAX:.0f} bpm, which no "
                "human heart produces; they were ignored.",
            )
        )
    if not hr_samples:
        zeros = (0.0,) * HEART_RATE_ZONES
        return _HeartRate(bins, 0, 0.0, None, None, zeros, 0.0, 0.0, 0.0, 0.0)
    seconds = cast(Array, np.bincount(bins, weights=hold, minlength=HR_BINS))
    seconds = seconds[HR_LOW : HR_BINS - 1]
    hr_s = float(sum_(seconds))
    # One matrix product gives every heart-rate total (see heart_tables for the rows).
    totals = (tables.matrix @ seconds).tolist()
    zone_seconds: tuple[float, ...] = (0.0,) * HEART_RATE_ZONES
    if tables.zone_bounds is not None:
        zone_seconds = tuple(totals[1:6])
    trimp = edwards = load = 0.0
    if tables.lthr is not None:
        trimp, edwards = totals[6], totals[7]
        load = 100.0 * trimp / tables.hour_at_lthr if tables.hour_at_lthr > 0 else 0.0
    return _HeartRate(
        bins=bins,
        samples=hr_samples,
        seconds=hr_s,
        avg=totals[0] / hr_s if hr_s > 0 else float(BPM @ valid) / hr_samples,
        top=float(BPM[valid.nonzero()[0][-1]]),
        zone_seconds=zone_seconds,
        trimp=trimp,
        edwards=edwards,
        load=load,
        keytel_kcal=totals[8],
    )


@dataclass(frozen=True, slots=True)
class _Effort:
    energy_kcal: float
    energy_method: str
    energy_met_kcal: float  # the part estimated without heart rate
    energy_met_s: float  # the time it covers
    met_minutes: float
    active_minutes: float
    mindful_minutes: float


def _effort(
    data: Array,
    timing: _Timing,
    movement: _Movement,
    heart: _HeartRate,
    tables: HeartTables,
    athlete: Athlete,
    sport: str,
    indoor: bool,
) -> _Effort:
    """MET per sample from the sport (and speed or power), raised to the heart-rate estimate where
    Keytel's equation applies; points are MET-minutes above rest."""
    hold, bins = timing.hold, heart.bins
    met_table = met_per_sample(sport, indoor, movement.v, movement.v0, data[5], athlete)
    kcal_per_met_min = tables.kcal_per_met_min
    energy_met = energy_met_s = 0.0
    if heart.samples and tables.met_by_bin is not None:
        effort = np.maximum(tables.met_by_bin[bins], met_table)
        energy = heart.keytel_kcal
        if heart.samples == timing.samples:
            energy_method = "keytel"
        else:
            no_hr_hold = hold * ((bins < HR_LOW) | (bins > HR_MAX))
            energy_met = kcal_per_met_min * float(met_table @ no_hr_hold) / 60.0
            energy_met_s = float(sum_(no_hr_hold))
            energy += energy_met
            energy_method = "keytel+met"
    else:
        effort = met_table
        energy = kcal_per_met_min * float(met_table @ hold) / 60.0
        energy_method = "met"
    active = effort >= MODERATE_MET
    if movement.moving is not None:
        active |= movement.moving
    return _Effort(
        energy_kcal=energy,
        energy_method=energy_method,
        energy_met_kcal=energy_met,
        energy_met_s=energy_met_s,
        # effort >= 1 MET everywhere, so "above rest" is a subtraction of the recorded time.
        met_minutes=(float(effort @ hold) - timing.recorded_s) / 60.0,
        active_minutes=float(hold @ active) / 60.0,
        mindful_minutes=timing.recorded_s / 60.0 if sport == "yoga" else 0.0,
    )


def _best_efforts(
    data: Array, timing: _Timing, movement: _Movement, sport: str
) -> tuple[dict[str, float], dict[str, float]]:
    """Fastest standard distances (runs, rides) and best average powers (rides)."""
    best_times: dict[str, float] = {}
    distances = DISTANCES_BY_SPORT.get(sport)
    if distances and movement.distance_m >= min(distances.values()):
        covered, covered_t = movement.covered, movement.covered_t
        if covered is None:
            covered, covered_t = _covered(movement, timing.hold, data)
        best_times = fastest_times(covered_t, covered, distances)
    power = data[5]
    watts: dict[str, float] = {}
    if sport == "ride" and math.isfinite(float(np.fmax.reduce(power))):
        watts = best_powers(data[0], power, timing.hold, RIDE_POWER_WINDOWS)
    return best_times, watts


def _covered(movement: _Movement, hold: Array, data: Array) -> tuple[Array, Array]:
    """Cumulative metres at sample times without a distance counter: along the track's
    positions (bridging samples without one), else speed x time."""
    t, lat, lon = data[0], data[7], data[8]
    if movement.distance_source == "gps":
        present = np.isfinite(lat) & np.isfinite(lon)
        la, lo = lat[present], lon[present]
        steps = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
        return np.concatenate(([0.0], np.cumsum(steps))), t[present]
    if movement.v0 is None:
        return np.zeros(t.size), t
    return np.concatenate(([0.0], np.cumsum((movement.v0 * hold)[:-1]))), t


def _score_without_samples(
    rr: Array | Sequence[float] | None, athlete: Athlete, sport: str, indoor: bool, elapsed_s: float
) -> WorkoutScore:
    """A workout with a start and end but no samples: the sport's MET value over its duration, for
    at most SAMPLELESS_MAX_S, flagged ``no_samples``: nothing measured it, so it counts for no
    leaderboard until an organizer accepts it."""
    met = MET_RIDE_INDOOR if sport == "ride" and indoor else MET_TABLE[sport]
    weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
    minutes = min(elapsed_s, SAMPLELESS_MAX_S) / 60.0
    met_minutes = (met - 1.0) * minutes
    points = round(met_minutes)
    rmssd, sdnn, beats, artefacts = hrv(rr)
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
        flags=(
            Flag(
                "no_samples",
                "Nothing was recorded during the workout (a manual entry, or a class without a "
                f"sensor): it is scored by its sport's typical effort for at most "
                f"{SAMPLELESS_MAX_S / 3600:.0f} hours.",
            ),
        ),
    )
