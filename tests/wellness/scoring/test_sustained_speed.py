"""Implausible speed for any sport: a mean speed over a minute, or ten, that no one holds under
their own power is flagged whatever the sport (issue 19, point 4); real recordings are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from devices.activity_files import ActivityFileInvalid, parse_activity
from wellness.scoring.engine import score_workout
from wellness.scoring.results import Athlete, WorkoutScore
from wellness.scoring.rules import COLUMNS
from wellness.workouts.sports import SPORTS

T0 = 1_764_000_000.0
NOW = T0 + 86_400


def _frame(speed_kmh: np.ndarray, *, counter: bool = True) -> pd.DataFrame:
    n = speed_kmh.size
    speed = speed_kmh / 3.6
    data: dict[str, Any] = dict.fromkeys(COLUMNS, np.full(n, np.nan))
    data["t"] = T0 + np.arange(n, dtype=float)
    data["hr"] = np.full(n, 120.0)
    data["speed"] = speed
    if counter:
        data["distance"] = np.concatenate(([0.0], np.cumsum(speed[:-1])))
    return pd.DataFrame(data)[list(COLUMNS)]


def _codes(speed_kmh: np.ndarray, sport: str, *, counter: bool = True) -> list[str]:
    result = score_workout(_frame(speed_kmh, counter=counter), None, Athlete(), sport, now=NOW)
    return [flag.code for flag in result.flags]


def _drive(minutes: int, low: float, high: float) -> np.ndarray:
    """A car's speed, km/h: swinging between low and high every five minutes."""
    t = np.arange(minutes * 60, dtype=float)
    return low + (high - low) * (0.5 - 0.5 * np.cos(2 * np.pi * t / 300.0))


@pytest.mark.parametrize("sport", ["ride", "other"])
def test_a_drive_between_60_and_100_kmh_is_flagged_whatever_the_sport(sport: str) -> None:
    # never above the 108 km/h top speed that a descent may touch: only its mean gives it away
    assert _codes(_drive(30, 60.0, 100.0), sport) == ["speed_sustained"]


@pytest.mark.parametrize("sport", ["run", "walk", "yoga"])
def test_a_drive_between_60_and_100_kmh_is_flagged_for_sports_on_foot(sport: str) -> None:
    assert "speed_implausible" in _codes(_drive(30, 60.0, 100.0), sport)


def test_a_minute_above_100_kmh_is_flagged_on_a_ride() -> None:
    speed = np.full(1800, 30.0)
    speed[600:670] = 104.0  # 70 s at 104 km/h: no bend, no brake, no cyclist

    assert _codes(speed, "ride") == ["speed_sustained"]


def test_a_long_fast_descent_with_a_brief_burst_to_110_kmh_is_not_flagged() -> None:
    # an hour's ride with a three-minute descent at 75-95 km/h that touches 110 km/h for 8 s
    speed = np.full(3600, 28.0)
    speed[1200:1380] = np.linspace(75.0, 95.0, 180)
    speed[1300:1308] = 110.0

    assert _codes(speed, "ride") == []


def test_a_ride_averaging_the_hour_record_pace_is_not_flagged() -> None:
    # a time trial at 57 km/h, the hour record's pace, for 30 minutes
    assert _codes(np.full(1800, 57.0), "ride") == []


def test_a_speed_sensor_glitch_makes_no_sustained_speed() -> None:
    speed = np.full(1800, 30.0)
    speed[900:902] = 1000.0 * 3.6  # 1000 m/s for two seconds: a glitch, not a car

    assert _codes(speed, "ride", counter=False) == []


def _scored(activity: Any, sport: str) -> WorkoutScore:
    return score_workout(
        activity.to_frame(),
        activity.rr,
        Athlete(),
        sport,
        indoor=activity.indoor,
        elapsed_s=activity.duration_s,
        now=NOW + 1e10,
        pauses=activity.pauses if activity.timer else None,
    )


def test_no_real_recording_earns_a_speed_flag_in_any_sport_it_could_be(shared_data: Path) -> None:
    scored = 0
    for path in sorted([*shared_data.glob("fit/*.fit"), *shared_data.glob("gpx/*.gpx")]):
        try:
            activity = parse_activity(path.read_bytes(), path.name)
        except ActivityFileInvalid:
            continue
        # its own sport, and every sport as fast as it (a ride is no run or walk)
        top = _scored(activity, activity.sport).max_speed_mps
        sports = {activity.sport, "other", "ride"} | ({"run"} if top < 12.0 else set())
        for sport in sorted(sports & set(SPORTS)):
            codes = [flag.code for flag in _scored(activity, sport).flags]
            assert "speed_sustained" not in codes, (path.name, sport)
            assert "speed_implausible" not in codes, (path.name, sport)
            scored += 1
    assert scored >= 20
