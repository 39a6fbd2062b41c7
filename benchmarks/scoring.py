"""Compute-only scoring of a one-hour 1 Hz workout, beside a row-by-row implementation.

The baseline computes the same metrics the way one would write them first: a loop over
``DataFrame.iterrows()`` and over the RR intervals, in plain Python. Both run on the same synthetic
run (heart rate, RR intervals, cadence, speed, distance, altitude, GPS), and the benchmark checks
that they agree before it reports any time.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import Figure, figure, median_seconds
from wellness.core.threads import blas_threads_limit
from wellness.scoring import best_efforts, heart, rules
from wellness.scoring.engine import score_workout
from wellness.scoring.results import Athlete
from wellness.scoring.rules import COLUMNS

DESCRIPTION = "compute-only scoring of a one-hour 1 Hz workout vs a row-by-row implementation"
T0 = 1_750_000_000.0
ATHLETE = Athlete(age=38, sex="female", weight_kg=62, resting_hr=52, max_hr=186, lthr=168)


def synthetic_run(seconds: int = 3600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """An hour's hilly run with a warm-up, intervals and a stop, sampled at 1 Hz, and its RR.

    The values have the resolution the sensors deliver them in (``devices/gatt.py``): a chest
    strap's heart rate in whole bpm and its RR intervals in 1/1024 s (Heart Rate Measurement), a
    foot pod's speed in 1/256 m/s, cadence in whole steps/min and total distance in 1/10 m (RSC
    Measurement). Altitude and GPS positions (the phone's) are full float64, and the RR intervals
    keep their beat-to-beat variability (15 ms noise, an ectopic beat every 500).
    """
    rng = np.random.default_rng(seed)
    n = seconds
    minute = np.arange(n) / 60.0
    effort = np.clip(minute / 10, 0, 1) * (0.75 + 0.15 * (np.sin(minute / 2) > 0.6))
    speed = np.where((minute > 30) & (minute < 32), 0.0, 2.2 + 1.6 * effort)
    speed = np.rint(np.clip(speed + rng.normal(0, 0.08, n), 0, None) * 256) / 256
    hr = np.rint(70 + 105 * effort + rng.normal(0, 1.5, n))
    cadence = np.rint(np.where(speed > 0.5, 150 + 20 * effort + rng.normal(0, 2, n), 0.0))
    distance = np.rint(np.concatenate(([0.0], np.cumsum(speed[:-1]))) * 10) / 10
    altitude = 120 + 35 * np.sin(minute / 9) + rng.normal(0, 0.4, n)
    lat = 46.5 + distance / 111_000
    lon = np.full(n, 6.6)
    data = {
        "t": T0 + np.arange(n, dtype=np.float64),
        "hr": hr,
        "cadence": cadence,
        "speed": speed,
        "distance": distance,
        "power": np.full(n, np.nan),
        "altitude": altitude,
        "lat": lat,
        "lon": lon,
    }
    beats = np.repeat(60_000.0 / hr, np.maximum(np.rint(hr / 60).astype(int), 1))
    rr = beats + rng.normal(0, 15, beats.size)
    rr[::500] *= 0.6  # ectopic beats for the artefact filter to remove
    # Whole 1/1024 s ticks, in ms as decode_heart_rate gives them (ticks * 1000 / 1024).
    rr = np.rint(rr * 1024 / 1000) * 1000 / 1024
    return pd.DataFrame(data, columns=list(COLUMNS)), rr


def naive_score(
    frame: pd.DataFrame, rr: np.ndarray, athlete: Athlete, sport: str
) -> dict[str, Any]:
    """The same metrics, row by row in plain Python (profile complete: the Keytel/Karvonen path)."""
    assert athlete.max_hr
    assert athlete.resting_hr
    assert athlete.lthr
    assert athlete.sex
    assert athlete.age is not None
    assert athlete.weight_kg
    rows = [row for _, row in frame.iterrows()]
    rest, top, lthr = athlete.resting_hr, athlete.max_hr, athlete.lthr
    a, b = rules.BANISTER[athlete.sex]
    c0, c_hr, c_w, c_age = rules.KEYTEL[athlete.sex]
    per_met = rules.KCAL_PER_KG_MIN_PER_MET * athlete.weight_kg
    karvonen = [rest + f * (top - rest) for f in rules.KARVONEN_ZONES]
    edwards_bounds = [f * top for f in rules.EDWARDS_ZONES]
    out: dict[str, Any] = {
        "recorded_s": 0.0,
        "moving_time_s": 0.0,
        "hr_seconds": 0.0,
        "trimp_banister": 0.0,
        "trimp_edwards": 0.0,
        "energy_kcal": 0.0,
        "met_minutes": 0.0,
        "active_minutes": 0.0,
        "zone_seconds": [0.0] * 5,
    }
    hr_weighted = cadence_weighted = cadence_time = 0.0
    hr_max = cadence_max = 0.0
    flags = []
    for i, row in enumerate(rows):
        hold = min(rows[i + 1]["t"] - row["t"], rules.GAP_S) if i + 1 < len(rows) else 0.0
        out["recorded_s"] += hold
        speed = row["speed"] if row["speed"] == row["speed"] and row["speed"] > 0 else 0.0
        moving = speed >= rules.MOVING_SPEED_MPS
        if moving:
            out["moving_time_s"] += hold
        if row["cadence"] > 0:
            cadence_weighted += row["cadence"] * hold
            cadence_time += hold
            cadence_max = max(cadence_max, row["cadence"])
            if speed * 60 > row["cadence"] * rules.MAX_STEP_LENGTH_M and row["cadence"] >= 30:
                flags.append("cadence_speed_mismatch")
        capped = min(speed, rules.MAX_SPEED_MPS[sport])
        per_mps = 0.2 if capped >= rules.RUN_WALK_SPEED_SPLIT_MPS else 0.1
        met = max(1.0 + per_mps * 60 / 3.5 * capped, 1.0)
        hr = round(row["hr"]) if row["hr"] == row["hr"] else 0
        if rules.HR_MIN <= hr <= rules.HR_MAX:
            out["hr_seconds"] += hold
            hr_weighted += hr * hold
            hr_max = max(hr_max, hr)
            zone = sum(hr >= bound for bound in karvonen)
            if zone:
                out["zone_seconds"][zone - 1] += hold
            x = min(max((hr - rest) / (top - rest), 0.0), 1.0)
            out["trimp_banister"] += hold / 60 * a * x * math.exp(b * x)
            out["trimp_edwards"] += hold / 60 * sum(hr >= bound for bound in edwards_bounds)
            kcal = (c0 + c_hr * hr + c_w * athlete.weight_kg + c_age * athlete.age) / 4.184
            kcal = max(kcal, per_met)
            out["energy_kcal"] += kcal * hold / 60
            met = max(met, kcal / per_met)
        else:
            out["energy_kcal"] += met * per_met * hold / 60
        out["met_minutes"] += (met - 1.0) * hold / 60
        if met >= rules.MODERATE_MET or moving:
            out["active_minutes"] += hold / 60
    counter = [row["distance"] for row in rows]
    out["distance_m"] = naive_counter_distance(counter, sport)
    out["hr_avg"] = hr_weighted / out["hr_seconds"]
    speeds = [row["speed"] if row["speed"] > 0 else 0.0 for row in rows]
    out["hr_max"], out["cadence_max"] = hr_max, cadence_max
    out["max_speed_mps"] = naive_max_speed(speeds)
    out["cadence_avg"] = cadence_weighted / cadence_time
    x_lt = (lthr - rest) / (top - rest)
    out["training_load"] = 100 * out["trimp_banister"] / (60 * a * x_lt * math.exp(b * x_lt))
    out["elevation_gain_m"] = naive_elevation_gain(
        [row["altitude"] for row in rows], [row["t"] for row in rows]
    )
    out["rmssd_ms"], out["sdnn_ms"], out["rr_beats"], out["rr_artefacts"] = naive_hrv(list(rr))
    out["best_times"] = naive_best_times(
        [row["t"] for row in rows], counter, best_efforts.DISTANCES_BY_SPORT.get(sport, {})
    )
    out["points"] = round(out["met_minutes"])
    out["flags"] = sorted(set(flags))
    return out


def naive_counter_distance(counter: list[float], sport: str) -> float:
    """The device counter's advance, from zero when it started with the recording."""
    values = [d for d in counter if d == d]
    from_zero = 0 <= values[0] <= rules.MAX_SPEED_MPS[sport] * rules.COUNTER_FROM_ZERO_S
    return max(values[-1] - (0.0 if from_zero else values[0]), 0.0)


def naive_max_speed(speeds: list[float]) -> float:
    """The highest speed held over SPEED_HELD_SAMPLES consecutive samples."""
    k = rules.SPEED_HELD_SAMPLES
    return max(min(speeds[i : i + k]) for i in range(len(speeds) - k + 1))


def naive_elevation_gain(altitude: list[float], t: list[float]) -> float:
    """SCORING.md's elevation rule sample by sample: noise decides barometric or GPS, block
    means over the rule's seconds, then a zig-zag with the rule's hysteresis over every point."""
    pairs = [(x, when) for x, when in zip(altitude, t, strict=True) if x == x]
    a = [x for x, _ in pairs]
    if len(a) < 2:
        return 0.0
    head = a[: rules.ALTITUDE_NOISE_SAMPLES]
    bends = [
        abs((head[i + 1] - head[i]) - (head[i] - head[i - 1])) for i in range(1, len(head) - 1)
    ]
    gps = bool(bends) and sum(bends) / len(bends) > rules.GPS_ALTITUDE_NOISE_M
    window = rules.SMOOTH_ALTITUDE_GPS_S if gps else rules.SMOOTH_ALTITUDE_S
    threshold = rules.CLIMB_HYSTERESIS_GPS_M if gps else rules.CLIMB_HYSTERESIS_M
    spacing = max((pairs[-1][1] - pairs[0][1]) / (len(a) - 1), 1e-3)
    k = max(round(window / spacing), 1)
    if k > 1 and len(a) >= 2 * k:
        a = [sum(a[i : i + k]) / k for i in range(0, len(a) // k * k, k)]
    gain, low, high, climbing = 0.0, a[0], a[0], False
    for x in a:
        if climbing:
            if x > high:
                high = x
            elif high - x >= threshold:
                gain, climbing, low = gain + high - low, False, x
        elif x < low:
            low = x
        elif x - low >= threshold:
            climbing, high = True, x
    return gain + (high - low if climbing else 0.0)


def naive_hrv(rr: list[float]) -> tuple[float | None, float | None, int, int]:
    """SCORING.md's artefact filter beat by beat: within 20 % of the median of the two beats
    before and two after (mirrored at the ends), and inside 300-2000 ms; then RMSSD and SDNN."""
    r = [x if math.isfinite(x) else 0.0 for x in rr]
    n = len(r)
    accepted = []
    for i, beat in enumerate(r):
        around = sorted(
            r[abs(j) if j < n else 2 * (n - 1) - j] for j in (i - 2, i - 1, i + 1, i + 2)
        )
        median = (around[1] + around[2]) / 2
        ok = rules.RR_MIN_MS <= beat <= rules.RR_MAX_MS
        accepted.append(ok and abs(beat - median) <= rules.RR_MAX_DEVIATION * median)
    clean = [beat for beat, ok in zip(r, accepted, strict=True) if ok]
    if len(clean) < rules.HRV_MIN_BEATS:
        return None, None, len(clean), n - len(clean)
    squares = [(r[i] - r[i - 1]) ** 2 for i in range(1, n) if accepted[i] and accepted[i - 1]]
    mean = sum(clean) / len(clean)
    sdnn = math.sqrt(sum((beat - mean) ** 2 for beat in clean) / (len(clean) - 1))
    return math.sqrt(sum(squares) / len(squares)), sdnn, len(clean), n - len(clean)


def naive_best_times(
    t: list[float], counter: list[float], distances: dict[str, float]
) -> dict[str, float]:
    """Fastest time per distance, exactly: for each start sample, the first sample at or past
    the distance, interpolated within its step (the vectorised rule reads a 5 m grid)."""
    points = [(when, d) for when, d in zip(t, counter, strict=True) if d == d]
    best: dict[str, float] = {}
    for name, metres in distances.items():
        if points[-1][1] - points[0][1] < metres:
            continue
        fastest, j = math.inf, 0
        for start, (t0, d0) in enumerate(points):
            j = max(j, start)
            while j < len(points) and points[j][1] - d0 < metres:
                j += 1
            if j == len(points):
                break
            (ta, da), (tb, db) = points[j - 1], points[j]
            arrive = tb if db == da else ta + (tb - ta) * (d0 + metres - da) / (db - da)
            fastest = min(fastest, arrive - t0)
        best[name] = fastest
    return best


def agreement(frame: pd.DataFrame, rr: np.ndarray) -> list[str]:
    """Metrics on which the vectorised and the row-by-row implementations disagree."""
    fast = score_workout(frame, rr, ATHLETE, "run", now=T0 + 86_400).as_dict()
    slow = naive_score(frame, rr, ATHLETE, "run")
    fast["flags"] = [flag["code"] for flag in fast["flags"]]
    wrong = []
    for key, expected in slow.items():
        got = fast[key]
        if key == "best_times":  # read on a 5 m grid: within the time to cover 5 m
            same = got.keys() == expected.keys() and all(
                abs(got[name] - expected[name]) <= 2.5 for name in expected
            )
        elif isinstance(expected, list) and expected and isinstance(expected[0], float):
            same = np.allclose(got, expected, rtol=1e-9, atol=1e-9)
        elif isinstance(expected, float):
            same = math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)
        else:
            same = list(got) == expected if isinstance(expected, list) else got == expected
        if not same:
            wrong.append(f"{key}: {got!r} != {expected!r}")
    return wrong


def run(quick: bool) -> list[Figure]:
    # As every Wellverse process runs by default (WELLVERSE_BLAS_THREADS, applied at start-up).
    blas_threads_limit(1)
    frame, rr = synthetic_run()
    wrong = agreement(frame, rr)
    if wrong:
        raise AssertionError("implementations disagree: " + "; ".join(wrong))
    now = T0 + 86_400

    def cold() -> object:
        heart.heart_tables.cache_clear()  # as for a worker's first workout of this athlete
        return score_workout(frame, rr, ATHLETE, "run", now=now)

    # Interleaved rounds over seconds, so load bursts and the host's slow phases hit all three alike.
    rounds: list[tuple[float, float, float]] = []
    for _ in range(3 if quick else 300):
        rounds.append(
            (
                median_seconds(
                    lambda: score_workout(frame, rr, ATHLETE, "run", now=now), repeat=100
                ),
                median_seconds(cold, repeat=100),
                median_seconds(
                    lambda: score_workout(frame, None, ATHLETE, "run", now=now), repeat=100
                ),
            )
        )
    fast, first, no_rr = (statistics.median(r[i] for r in rounds) for i in range(3))
    # Scaling: ten hours of the same kind of run, scored whole (records included).
    long_frame, long_rr = synthetic_run(seconds=36_000, seed=1)
    long_run = statistics.median(
        median_seconds(
            lambda: score_workout(long_frame, long_rr, ATHLETE, "run", now=now), repeat=10
        )
        for _ in range(3 if quick else 30)
    )
    slow = median_seconds(
        lambda: naive_score(frame, rr, ATHLETE, "run"), repeat=3 if quick else 9, warmup=0
    )
    return [
        figure(
            "scoring",
            "score a 1-hour 1 Hz workout with RR (median)",
            fast * 1e3,
            "ms",
            baseline=slow * 1e3,
            goal="<= 0.2 ms, >= 500x row-by-row",
            higher_is_better=False,
        ),
        figure(
            "scoring",
            "same without RR intervals (optical or no strap)",
            no_rr * 1e3,
            "ms",
            baseline=slow * 1e3,
            goal="<= 0.2 ms, >= 500x row-by-row",
            higher_is_better=False,
        ),
        figure(
            "scoring",
            "same with RR, athlete's heart-rate table not cached",
            first * 1e3,
            "ms",
            baseline=slow * 1e3,
            goal="<= 0.2 ms, >= 500x row-by-row",
            higher_is_better=False,
        ),
        figure(
            "scoring",
            "workouts scored per second, one process",
            1 / fast,
            "workouts/s",
            baseline=1 / slow,
            goal="headroom for 1,000/s end to end",
            higher_is_better=True,
        ),
        figure(
            "scoring",
            "10-hour 1 Hz workout with RR, per hour of it (median)",
            long_run / 10 * 1e3,
            "ms",
            baseline=None,
            goal="linear: about the one-hour figure",
            higher_is_better=False,
        ),
    ]
