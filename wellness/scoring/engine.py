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
from wellness.scoring.heart import BPM, HR_BINS, HR_LOW, heart_tables
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
    SPORTS,
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
    pauses: Sequence[tuple[float, float]] | None = None,
) -> WorkoutScore:
    """Score one workout from its frame (a pandas DataFrame with :data:`COLUMNS`).

    ``elapsed_s`` is the workout's wall-clock length (``ended_at - started_at``); it lets a
    workout without samples (yoga without a strap) be scored from its duration. ``pauses`` are
    the device timer's (stopped, restarted) times when the recording has timer events (an empty
    sequence: it ran throughout); ``None`` means no timer information, and silences over
    ``GAP_S`` count as paused. Raises :class:`UnscorableWorkout` when there is nothing to score.
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
    pauses: Sequence[tuple[float, float]] | None = None,
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
    pauses: Sequence[tuple[float, float]] | None,
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
    if not math.isfinite(sum_(t)):  # cheaper than isfinite().all(); NaN and inf poison the sum
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
    if n > 1 and not min_(step) > 0:
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

    # A sample stands for the time until the next one, less the timer's pauses; without timer
    # events, never more than the gap rule's limit.
    hold = np.empty(n)
    if pauses is None:
        np.minimum(step, hold_limit_s(step), out=hold[:-1])
    else:
        hold[:-1] = step
        _leave_out_pauses(t, hold, pauses)
    hold[-1] = 0.0
    recorded_s = float(sum_(hold))
    span_s = float(t[-1] - t[0])
    duration_s = max(span_s, elapsed_s) if elapsed_s is not None else span_s
    check_clock(t, step if pauses is None else hold[:-1], span_s, now, flags)

    # --- movement
    v, speed_source = speed_per_sample(speed, distance, lat, lon, step, n)
    has_speed = speed_source != "none"
    v0: Array | None = None
    moving: npt.NDArray[np.bool_] | None = None
    if has_speed:
        v0 = np.fmax(v, 0.0)  # unknown (NaN) and negative speeds count as standing still
        moving = v0 >= MOVING_SPEED_MPS
        moving_time_s = float(hold @ moving)
        max_speed = max_speed_mps(v0)
    else:
        moving_time_s = recorded_s if sport != "yoga" else 0.0
        max_speed = 0.0
    # Distance: the device's counter, else the track's length, else speed x time. Pauses and gaps
    # change moving time, never how far one went.
    if n >= 2 and math.isfinite(distance[0]) and math.isfinite(distance[-1]):
        d, t_d, dt_d = distance, t, step
    else:
        ok = np.isfinite(distance)
        d, t_d = distance[ok], t[ok]
        dt_d = np.diff(t_d)
    covered: Array | None = None  # cumulative metres per sample time t_d, for best efforts
    counted = counter_distance_m(d, sport=sport) if d.size >= 2 else None
    if counted is not None:
        distance_m, distance_source, covered = counted, "device", d
        check_distance_jumps(d, dt_d, sport, flags)
    elif (length := track_length_m(lat, lon)) is not None:
        distance_m, distance_source = length, "gps"
    elif v0 is not None:
        distance_m, distance_source = float(v0 @ hold), "speed"
    else:
        distance_m, distance_source = 0.0, "none"
    avg_speed = distance_m / moving_time_s if moving_time_s > 0 else 0.0
    pace = 1000.0 / avg_speed if avg_speed > 0 and sport in ("run", "walk") else None
    climbed = elevation_gain_m(altitude, t)
    c0 = np.fmax(cadence, 0.0)  # unknown (NaN) and negative cadences count as not turning
    cadence_top = float(max_(c0))
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
        check_motion(v0, c0, cadence_top, max_speed, hold, sport, flags)

    # --- heart rate, as sensors send it: whole beats per minute. All heart-rate metrics are
    # functions of the beat rate alone, so they are computed once per bpm value on the time spent
    # at each (one bincount), not once per sample.
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
    has_hr = hr_samples > 0
    tables = heart_tables(athlete)
    zone_seconds: tuple[float, ...] = (0.0,) * HEART_RATE_ZONES
    trimp = edwards = load = 0.0
    hr_avg = hr_top = None
    hr_s = 0.0
    keytel_part = 0.0
    if has_hr:
        seconds = cast(Array, np.bincount(bins, weights=hold, minlength=HR_BINS))
        seconds = seconds[HR_LOW : HR_BINS - 1]
        hr_s = float(sum_(seconds))
        # One matrix product gives every heart-rate total (see heart_tables for the rows).
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
    met_table = met_per_sample(sport, indoor, v, v0, power, athlete)
    kcal_per_met_min = tables.kcal_per_met_min
    energy_met = energy_met_s = 0.0
    if has_hr and tables.met_by_bin is not None:
        effort = np.maximum(tables.met_by_bin[bins], met_table)
        energy = keytel_part
        if hr_samples == n:
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
    # effort >= 1 MET everywhere, so "above rest" is a subtraction of the recorded time.
    met_minutes = (float(effort @ hold) - recorded_s) / 60.0
    active = effort >= MODERATE_MET
    if moving is not None:
        active |= moving
    active_minutes = float(hold @ active) / 60.0
    mindful_minutes = recorded_s / 60.0 if sport == "yoga" else 0.0

    rmssd, sdnn, beats, artefacts = hrv(rr)
    points = round(met_minutes)
    best_times: dict[str, float] = {}
    distances = DISTANCES_BY_SPORT.get(sport)
    if distances and distance_m >= min(distances.values()):
        if covered is None:
            covered, t_d = _covered(distance_source, v0, hold, lat, lon, t)
        best_times = fastest_times(t_d, covered, distances)
    watts = (
        best_powers(t, power, hold, RIDE_POWER_WINDOWS)
        if sport == "ride" and math.isfinite(float(np.fmax.reduce(power)))
        else {}
    )
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
        elevation_gain_m=climbed,
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
        timer_pauses=pauses is not None,
        energy_met_kcal=energy_met,
        energy_met_s=energy_met_s,
        best_times=best_times,
        best_powers=watts,
    )


def _leave_out_pauses(t: Array, hold: Array, pauses: Sequence[tuple[float, float]]) -> None:
    """Shorten each sample's hold by the part of the timer's pauses it overlaps."""
    for stopped, restarted in pauses:
        first = max(int(np.searchsorted(t, stopped, side="right")) - 1, 0)
        last = int(np.searchsorted(t, restarted, side="left"))
        for i in range(first, min(last, t.size - 1)):
            overlap = min(t[i + 1], restarted) - max(t[i], stopped)
            if overlap > 0:
                hold[i] = max(hold[i] - overlap, 0.0)


def _covered(
    distance_source: str, v0: Array | None, hold: Array, lat: Array, lon: Array, t: Array
) -> tuple[Array, Array]:
    """Cumulative metres at each sample time, without a distance counter: along the track's
    positions (bridging samples without one), else speed x time."""
    if distance_source == "gps":
        present = np.isfinite(lat) & np.isfinite(lon)
        la, lo = lat[present], lon[present]
        steps = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
        return np.concatenate(([0.0], np.cumsum(steps))), t[present]
    if v0 is None:
        return np.zeros(t.size), t
    return np.concatenate(([0.0], np.cumsum((v0 * hold)[:-1]))), t


def _score_without_samples(
    rr: Array | Sequence[float] | None, athlete: Athlete, sport: str, indoor: bool, elapsed_s: float
) -> WorkoutScore:
    """A workout with a start and end but no samples: the sport's MET value over its duration."""
    met = MET_RIDE_INDOOR if sport == "ride" and indoor else MET_TABLE[sport]
    weight = athlete.weight_kg if athlete.weight_kg else WEIGHT_DEFAULT_KG
    minutes = elapsed_s / 60.0
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
        flags=(),
    )
