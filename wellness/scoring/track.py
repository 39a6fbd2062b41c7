"""Distance, elevation gain and top speed of a recorded track, as a device shows them. No Django.

Plain NumPy functions on the sample columns (``t``, ``distance``, ``speed``, ``altitude``, ``lat``,
``lon`` as float64 arrays, NaN = not measured), shared by file import summaries
(``devices.activity_files``) and scoring so both report the same numbers. Each rule and its
threshold is explained in ``wellness/scoring/SCORING.md``; the constants live in ``rules``.
"""

from __future__ import annotations

import math

import numpy as np

from wellness.scoring.arrays import Array, max_, sum_
from wellness.scoring.rules import (
    ALTITUDE_NOISE_SAMPLES,
    CLIMB_HYSTERESIS_GPS_M,
    CLIMB_HYSTERESIS_M,
    COUNTER_FROM_ZERO_S,
    EARTH_RADIUS_M,
    GAP_S,
    GAP_SPACING_SAMPLES,
    GAP_SPACINGS,
    GPS_ALTITUDE_NOISE_M,
    MAX_SPEED_MPS,
    SMOOTH_ALTITUDE_GPS_S,
    SMOOTH_ALTITUDE_S,
    SPEED_HELD_GPS_SAMPLES,
    SPEED_HELD_SAMPLES,
)


def hold_limit_s(step: Array) -> float:
    """How long a sample stands for at most, without timer events (the gap rule).

    ``GAP_S``, or ``GAP_SPACINGS`` typical spacings of a sparse recording; only a recording with
    a step over ``GAP_S`` pays for the median.
    """
    if step.size == 0 or not max_(step) > GAP_S:
        return GAP_S
    typical = float(np.median(step[:GAP_SPACING_SAMPLES]))
    return max(GAP_S, GAP_SPACINGS * typical)


def gap_pauses(t: Array) -> list[tuple[float, float]]:
    """The gap rule's pauses as timer pauses, (a sample's time + the limit, the next sample's).

    What an export writes for a recording without timer events, so that the file, read back
    with its timer, is scored as the recording was.
    """
    step = t[1:] - t[:-1]
    limit = hold_limit_s(step)
    gaps = np.flatnonzero(step > limit)
    return [(float(t[i]) + limit, float(t[i + 1])) for i in gaps.tolist()]


def haversine_m(lat1: Array, lon1: Array, lat2: Array, lon2: Array) -> Array:
    """Great-circle distances in metres on a sphere of the mean Earth radius."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    distances: Array = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return distances


def track_length_m(lat: Array, lon: Array) -> float | None:
    """Length along the positions that are present, however far apart in time; None without."""
    present = np.isfinite(lat) & np.isfinite(lon)
    if not present.any():
        return None
    la, lo = lat[present], lon[present]
    return float(haversine_m(la[:-1], lo[:-1], la[1:], lo[1:]).sum())


def counter_distance_m(distance: Array, *, sport: str) -> float | None:
    """How far a device's cumulative distance counter advanced; None without a counter.

    Counted from zero when its first value is one the sport could cover in
    :data:`COUNTER_FROM_ZERO_S` (the recording's own counter), else from its first value.
    """
    if distance.size and math.isfinite(distance[0]) and math.isfinite(distance[-1]):
        first, last = float(distance[0]), float(distance[-1])
    else:
        counted = distance[np.isfinite(distance)]
        if counted.size == 0:
            return None
        first, last = float(counted[0]), float(counted[-1])
    from_zero = (
        0.0 <= first <= MAX_SPEED_MPS.get(sport, MAX_SPEED_MPS["other"]) * COUNTER_FROM_ZERO_S
    )
    return max(last - (0.0 if from_zero else first), 0.0)


def activity_distance_m(
    distance: Array, lat: Array, lon: Array, *, sport: str
) -> tuple[float, str] | None:
    """(metres, source): the device's counter ("device"), else the track's length ("gps").

    Pauses and gaps never shorten it: a pause changes moving time, not where one went.
    """
    counted = counter_distance_m(distance, sport=sport)
    if counted is not None:
        return counted, "device"
    length = track_length_m(lat, lon)
    return None if length is None else (length, "gps")


def elevation_gain_m(altitude: Array, t: Array | None = None) -> float:
    """Total climb: altitude averaged over blocks, counted with a hysteresis threshold.

    Blocks of :data:`SMOOTH_ALTITUDE_S` and :data:`CLIMB_HYSTERESIS_M` for a smooth
    (barometric) profile, :data:`SMOOTH_ALTITUDE_GPS_S` and :data:`CLIMB_HYSTERESIS_GPS_M` for a
    noisy (GPS) one; see SCORING.md. ``t`` (sample times) sizes the blocks; without it samples
    are taken a second apart.
    """
    a = altitude
    if not math.isfinite(float(sum_(a))):
        present = np.isfinite(a)
        a = a[present]
        t = None if t is None else t[present]
    if a.size < 2:
        return 0.0
    window, threshold = SMOOTH_ALTITUDE_S, CLIMB_HYSTERESIS_M
    if a.size >= 3:
        head = a[:ALTITUDE_NOISE_SAMPLES]  # ten minutes at 1 Hz tell the sensor as well as an hour
        bend = head[2:] - head[1:-1]
        bend -= head[1:-1] - head[:-2]
        if float(np.abs(bend).mean()) > GPS_ALTITUDE_NOISE_M:
            window, threshold = SMOOTH_ALTITUDE_GPS_S, CLIMB_HYSTERESIS_GPS_M
    spacing = 1.0 if t is None else max(float(t[-1] - t[0]) / (a.size - 1), 1e-3)
    k = max(round(window / spacing), 1)
    if k > 1 and a.size >= 2 * k:
        # Block means: the sensor's noise averages out, a real climb does not.
        a = a[: a.size // k * k].reshape(-1, k) @ np.full(k, 1.0 / k)
    return hysteresis_climb(a, threshold)


def hysteresis_climb(a: Array, threshold: float) -> float:
    """Sum of rises of at least ``threshold``, each from a low to the high before a drop of
    at least ``threshold`` (a zig-zag filter). Only turning points can change the state, so the
    Python loop runs over those, not over every sample."""
    if a.size < 2:
        return 0.0
    rise = a[1:] - a[:-1]
    moved = rise.nonzero()[0]  # a level stretch would hide the turn it sits in
    if moved.size == 0:
        return 0.0
    direction = rise[moved]
    turns = moved[1:][direction[1:] * direction[:-1] < 0]
    points = [float(a[0]), *a[turns].tolist(), float(a[-1])]
    gain = 0.0
    low = high = points[0]
    climbing = False
    for x in points:
        if climbing:
            if x > high:
                high = x
            elif high - x >= threshold:
                gain += high - low
                climbing, low = False, x
        else:
            if x < low:
                low = x
            elif x - low >= threshold:
                climbing, high = True, x
    if climbing:
        gain += high - low
    return gain


def max_speed_mps(speed: Array, *, from_gps: bool = False) -> float:
    """Top speed held over ``SPEED_HELD_SAMPLES`` consecutive samples (``SPEED_HELD_GPS_SAMPLES``
    for speed derived from positions).

    A speed sensor's glitch is one impossible sample; a GPS position off the track makes two
    (there and back); a real top speed lasts longer, so spikes never become the maximum.
    """
    v = np.fmax(speed, 0.0)  # unknown (NaN) speed counts as standing still
    k = SPEED_HELD_GPS_SAMPLES if from_gps else SPEED_HELD_SAMPLES
    if v.size < k:
        return float(np.fmin.reduce(v)) if v.size else 0.0
    held = np.minimum(v[: v.size - k + 1], v[1 : v.size - k + 2])
    if k == 3:
        np.minimum(held, v[2:], out=held)
    return float(max_(held))
