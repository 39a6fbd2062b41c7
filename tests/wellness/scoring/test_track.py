"""wellness.scoring.track: distance, elevation gain and top speed as a device shows them (issue 20).

Profiles are generated here: a barometric altitude profile (0.2 m steps, 0.15 m noise, slow
drift), the same hills as GPS altitude (metres of wandering error), sparse tracks and spikes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wellness.scoring import rules, track
from wellness.scoring.track import (
    activity_distance_m,
    counter_distance_m,
    elevation_gain_m,
    hysteresis_climb,
    max_speed_mps,
    track_length_m,
)

METRES_PER_DEGREE = math.pi / 180 * rules.EARTH_RADIUS_M


def hills(seconds: int = 7200) -> np.ndarray:
    """Two hours: a 300 m climb and descent, a 60 m one, 10 m rollers every six minutes."""
    s = np.arange(seconds, dtype=np.float64)
    altitude = 200 + 150 * (1 - np.cos(np.pi * np.clip(s / 1200, 0, 2)))
    altitude += 5 * np.sin(2 * np.pi * s / 360)
    altitude += 30 * (1 - np.cos(np.pi * np.clip((s - 4000) / 900, 0, 2)))
    return altitude


def true_gain(altitude: np.ndarray) -> float:
    return float(np.clip(np.diff(altitude), 0, None).sum())


def barometric(clean: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    drift = np.cumsum(rng.normal(0, 0.01, clean.size))
    return np.round((clean + rng.normal(0, 0.15, clean.size) + drift) / 0.2) * 0.2


def gps_altitude(clean: np.ndarray, seed: int) -> np.ndarray:
    # GPS altitude error wanders (an AR(1) process of ~3 m, 30 s memory) on top of fix noise
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0, 0.8, clean.size)
    wander = np.empty(clean.size)
    error = 0.0
    for i, shock in enumerate(shocks.tolist()):
        error = 0.97 * error + shock
        wander[i] = error
    return clean + wander + rng.normal(0, 1.5, clean.size)


# --- Elevation gain (point 5) -----------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_elevation_gain_of_a_barometric_profile_is_within_10_percent_of_the_climb(
    seed: int,
) -> None:
    clean = hills()
    assert elevation_gain_m(barometric(clean, seed)) == pytest.approx(true_gain(clean), rel=0.10)


@pytest.mark.parametrize("seed", range(5))
def test_elevation_gain_of_gps_altitude_is_within_20_percent_of_the_climb(seed: int) -> None:
    clean = hills()
    assert elevation_gain_m(gps_altitude(clean, seed)) == pytest.approx(true_gain(clean), rel=0.20)


def test_a_flat_ride_with_gps_altitude_noise_climbs_little() -> None:
    # given an hour on the flat, with GPS altitude error only
    noisy = gps_altitude(np.full(3600, 100.0), seed=7)
    # then little of the wandering error counts as climbing (the old rule counted 284 m)
    assert elevation_gain_m(noisy) < 60.0


def test_a_sparse_track_is_smoothed_over_time_not_over_samples() -> None:
    # given the barometric hills recorded every 20 s
    clean = hills()
    sparse = barometric(clean, seed=1)[::20]
    t = np.arange(0.0, 7200.0, 20.0)
    assert elevation_gain_m(sparse, t) == pytest.approx(true_gain(clean), rel=0.10)


def test_hysteresis_counts_a_climb_from_its_low_to_its_high_once_it_exceeds_the_threshold() -> None:
    # rises of 1.5 m (under 2 m) are ignored; the 10 m climb counts whole, dips inside it do not
    profile = np.array([0, 1.5, 0, 1.5, 0, 4, 3, 8, 10, 9.5, 2, 2, 2.5], dtype=np.float64)
    assert hysteresis_climb(profile, 2.0) == 10.0


def test_level_stretches_at_a_summit_do_not_hide_it() -> None:
    profile = np.array([0, 5, 5, 5, 0, 0, 5, 5, 0], dtype=np.float64)
    assert hysteresis_climb(profile, 2.0) == 10.0


def test_no_altitude_climbs_nothing() -> None:
    assert elevation_gain_m(np.full(100, np.nan)) == 0.0


# --- Distance (point 1) -----------------------------------------------------------------------
def test_a_sparse_track_is_as_long_as_its_positions_however_far_apart_in_time() -> None:
    # given a 13.66 km loop recorded every 10 to 60 s (as phone apps and GPX exports are)
    rng = np.random.default_rng(3)
    angle = np.cumsum(rng.uniform(0.004, 0.03, 400))
    angle = angle[angle < 2 * np.pi]
    radius_deg = 13_660 / (2 * np.pi) / METRES_PER_DEGREE
    lat = 45.75 + radius_deg * np.sin(angle)
    lon = 14.35 + radius_deg * np.cos(angle) / np.cos(np.radians(45.75))
    # then the distance is the length along the positions, nearly the whole loop
    measured = activity_distance_m(np.full(lat.size, np.nan), lat, lon, sport="walk")
    assert measured is not None
    length, source = measured
    assert source == "gps"
    assert length == pytest.approx(13_660 * (angle[-1] - angle[0]) / (2 * np.pi), rel=0.002)


def test_distance_counter_counts_from_zero_when_it_started_with_the_recording() -> None:
    # the Edge 820's first record says 6.95 m, one second after its timer started
    assert counter_distance_m(np.array([6.95, 100.0, 457.12]), sport="ride") == 457.12


def test_distance_counter_of_a_foot_pods_lifetime_counts_from_its_first_value() -> None:
    assert counter_distance_m(np.array([812_345.0, 812_845.0]), sport="run") == 500.0


def test_counter_wins_over_positions_and_nothing_measured_is_none() -> None:
    lat = np.array([46.0, 46.001])
    lon = np.array([14.0, 14.0])
    assert activity_distance_m(np.array([0.0, 90.0]), lat, lon, sport="run") == (90.0, "device")
    assert activity_distance_m(np.full(2, np.nan), np.full(2, np.nan), lon, sport="run") is None
    assert track_length_m(lat, lon) == pytest.approx(111.195, abs=0.001)


# --- Top speed (point 6) ----------------------------------------------------------------------
def test_a_single_sample_speed_spike_is_not_the_top_speed() -> None:
    # given a ride at 30-40 km/h with one 94 km/h reading from the wheel sensor
    speed = np.full(600, 9.0)
    speed[300:310] = 11.0
    speed[450] = 94 / 3.6
    assert max_speed_mps(speed) == 11.0


def test_a_gps_position_off_the_track_makes_no_top_speed() -> None:
    # given a sparse GPX ride (a point every 20 s at 8 m/s) with one point 1.8 km off the track
    n = 60
    lat = 46.0 + np.arange(n) * 160 / METRES_PER_DEGREE
    lon = np.full(n, 14.0)
    lon[30] += 1800 / (METRES_PER_DEGREE * np.cos(np.radians(46.0)))
    step = track.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / 20.0
    assert step.max() * 3.6 > 300  # the raw speed there and back: over 300 km/h
    assert max_speed_mps(step, from_gps=True) == pytest.approx(8.0, rel=1e-3)


def test_top_speed_ignores_unknown_samples() -> None:
    speed = np.array([np.nan, 5.0, 5.0, 5.0, np.nan])
    assert max_speed_mps(speed) == 5.0
