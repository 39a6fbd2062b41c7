"""wellness.scoring.best_efforts: fastest distances and best average powers in one workout (point 12)."""

from __future__ import annotations

import numpy as np
import pytest

from wellness.scoring.best_efforts import (
    RIDE_POWER_WINDOWS,
    RUN_DISTANCES,
    best_powers,
    fastest_times,
)


def test_an_even_paced_run_covers_each_distance_in_distance_over_speed() -> None:
    # given 50 minutes at 4 m/s (12 km), a sample a second
    t = np.arange(0.0, 3000.0)
    covered = 4.0 * t
    best = fastest_times(t, covered, RUN_DISTANCES)
    assert set(best) == {"400 m", "1 km", "1 mile", "5 km", "10 km"}
    assert best["400 m"] == pytest.approx(100.0, abs=1.25)
    assert best["1 mile"] == pytest.approx(1609.344 / 4.0, abs=1.25)
    assert best["10 km"] == pytest.approx(2500.0, abs=1.25)


def test_the_fastest_kilometre_is_found_inside_a_slower_run() -> None:
    # given 20 minutes at 3 m/s with 1.2 km at 5 m/s (240 s) in the middle
    speed = np.full(1200, 3.0)
    speed[500:740] = 5.0
    t = np.arange(0.0, 1200.0)
    covered = np.concatenate(([0.0], np.cumsum(speed[:-1])))
    assert fastest_times(t, covered, {"1 km": 1000.0})["1 km"] == pytest.approx(200.0, abs=1.0)


def test_standing_still_is_not_counted_twice_and_a_counter_from_elsewhere_is_rebased() -> None:
    # given a counter starting at 812 km, a 1 km at 4 m/s, a 10-minute stop, then 1 km more
    t = np.arange(0.0, 1200.0)
    covered = 812_000.0 + np.minimum(4.0 * t, 1000.0) + np.clip(4.0 * (t - 850.0), 0, 1000.0)
    # then each kilometre took 250 s, and the 2 km took the elapsed 1,100 s, stop included
    assert fastest_times(t, covered, {"1 km": 1000.0, "2 km": 2000.0}) == pytest.approx(
        {"1 km": 250.0, "2 km": 1100.0}, abs=1.25
    )


def test_distances_longer_than_the_workout_are_left_out() -> None:
    t = np.arange(0.0, 100.0)
    assert fastest_times(t, 3.0 * t, RUN_DISTANCES) == {}
    assert fastest_times(t[:1], t[:1], RUN_DISTANCES) == {}


def test_best_average_power_over_each_window() -> None:
    # given an hour at 200 W with a 5-minute 320 W effort and a 5-second 900 W sprint
    t = np.arange(0.0, 3600.0)
    power = np.full(3600, 200.0)
    power[1000:1300] = 320.0
    power[2000:2005] = 900.0
    best = best_powers(t, power, np.ones(3600), RIDE_POWER_WINDOWS)
    assert best["5 s"] == pytest.approx(900.0)
    assert best["5 min"] == pytest.approx(320.0)
    # the best 20 minutes hold the 5-minute effort and the sprint
    assert best["20 min"] == pytest.approx((300 * 320 + 5 * 900 + 895 * 200) / 1200)
    assert best["60 min"] == pytest.approx((3600 * 200 + 300 * 120 + 5 * 700) / 3600, rel=1e-3)


def test_a_gap_without_power_counts_as_zero_watts_not_as_the_last_reading() -> None:
    # given 30 s at 300 W, a 60 s gap in the samples (each holds 1 s), then 30 s at 300 W
    t = np.concatenate((np.arange(0.0, 30.0), np.arange(90.0, 120.0)))
    power = np.full(t.size, 300.0)
    best = best_powers(t, power, np.ones(t.size), {"1 min": 60, "5 s": 5})
    assert best["5 s"] == pytest.approx(300.0)
    assert best["1 min"] == pytest.approx(150.0)
