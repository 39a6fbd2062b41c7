"""Movement from samples: speed per sample, great-circle distance, elevation gain and MET from motion."""

from __future__ import annotations

import math

import numpy as np

from wellness.scoring.arrays import Array, sum_
from wellness.scoring.results import Athlete
from wellness.scoring.rules import (
    CLIMB_THRESHOLD_M,
    CYCLING_GROSS_EFFICIENCY,
    EARTH_RADIUS_M,
    KCAL_PER_KG_MIN_PER_MET,
    MAX_SPEED_MPS,
    MET_RIDE_INDOOR,
    MET_TABLE,
    RUN_WALK_SPEED_SPLIT_MPS,
    SMOOTH_ALTITUDE_SAMPLES,
    WATTS_PER_KCAL_MIN,
    WEIGHT_DEFAULT_KG,
)

_BLOCK_MEAN = np.full(SMOOTH_ALTITUDE_SAMPLES, 1.0 / SMOOTH_ALTITUDE_SAMPLES)


def speed_per_sample(
    speed: Array, distance: Array, lat: Array, lon: Array, step: Array, n: int
) -> tuple[Array, str]:
    """Per-sample speed: measured, else from the distance counter, else from GPS positions."""
    if math.isfinite(sum_(speed)):
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
    distances: Array = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return distances


def climbed_m(altitude: Array) -> float:
    """Sum of monotone climbs of at least CLIMB_THRESHOLD_M in block-averaged altitude."""
    a = altitude
    if not math.isfinite(sum_(a)):
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
    return float(sum_(climbs[climbs >= CLIMB_THRESHOLD_M]))


def met_per_sample(
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
        if not math.isfinite(sum_(v)):
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
