"""Scoring measures what a device and a coach measure (issue 20): distance of sparse tracks,
timer pauses, flags on real rides, HRV, top speed, energy during dropouts, best efforts, and the
same score after an export and import of every shared device file.

Workouts are built here or with the project's own encoders (``devices.activity_files``); real
device files are read in place from ``../shared/data`` (``shared_data`` fixture).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from devices.activity_files import ActivityFileInvalid, export_fit, export_gpx, parse_activity
from wellness.scoring.engine import score_workout
from wellness.scoring.results import Athlete, WorkoutScore
from wellness.scoring.rules import COLUMNS, EARTH_RADIUS_M
from wellness.scoring.track import gap_pauses

T0 = 1_750_000_000.0
NOW = T0 + 86_400
RIDER = Athlete(age=45, sex="female", weight_kg=64, resting_hr=55, max_hr=178, lthr=160)
METRES_PER_DEGREE = math.pi / 180 * EARTH_RADIUS_M


def workout(t: np.ndarray, **columns: Any) -> pd.DataFrame:
    data = {name: np.full(t.size, np.nan) for name in COLUMNS}
    data["t"] = T0 + t
    for name, value in columns.items():
        data[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), t.size).copy()
    return pd.DataFrame(data, columns=list(COLUMNS))


def score(data: pd.DataFrame, sport: str = "ride", **kw: Any) -> WorkoutScore:
    return score_workout(data, kw.pop("rr", None), kw.pop("athlete", RIDER), sport, now=NOW, **kw)


def ride_with_a_stop(stop_s: float) -> pd.DataFrame:
    """An hour at 8 m/s and 140 bpm, a stop of ``stop_s`` without samples, then an hour more."""
    t = np.concatenate((np.arange(3600.0), 3600.0 + stop_s + np.arange(3600.0)))
    distance = np.concatenate((8.0 * np.arange(3600.0), 8.0 * (3600.0 + np.arange(3600.0))))
    return workout(t, hr=140, speed=8.0, cadence=85, distance=distance)


# --- 1. Distance of a sparse track ----------------------------------------------------------------
def sparse_loop_gpx() -> bytes:
    """A 13.66 km lake loop walked at 1.4 m/s, a point every 10 to 60 s, as a phone app writes."""
    rng = np.random.default_rng(4)
    gaps = rng.uniform(10, 60, 400)
    t = np.concatenate(([0.0], np.cumsum(gaps)))
    t = t[t <= 13_660 / 1.4]
    angle = 2 * np.pi * t * 1.4 / 13_660
    radius = 13_660 / (2 * np.pi) / METRES_PER_DEGREE
    cols = {
        "t": T0 + t,
        "lat": 45.75 + radius * np.sin(angle),
        "lon": 14.35 + radius * np.cos(angle) / np.cos(np.radians(45.75)),
        "hr": np.full(t.size, 110.0),
    }
    start = datetime.fromtimestamp(T0, tz=UTC)
    return export_gpx(cols, sport="walk", started_at=start)


def test_a_sparse_track_scores_its_whole_length_and_agrees_with_the_import_summary() -> None:
    # given a loop recorded every 10-60 s (the old rule counted 10 s of each gap: 3.79 of 13.66 km)
    activity = parse_activity(sparse_loop_gpx(), "loop.gpx")
    # when it is scored
    result = score(activity.to_frame(), "walk")
    # then the distance is the track's length, the same number the import summary showed
    assert result.distance_source == "gps"
    assert result.distance_m == pytest.approx(1.4 * float(np.ptp(activity.columns["t"])), rel=0.002)
    assert round(result.distance_m, 2) == activity.summary()["distance_m"]


def test_a_stop_without_a_timer_shortens_moving_time_but_never_distance() -> None:
    # given a walk along a meridian with a 20-minute stop and no samples in it
    t = np.concatenate((np.arange(0.0, 600.0, 30.0), 1800.0 + np.arange(0.0, 600.0, 30.0)))
    metres = np.where(t < 1800.0, 1.4 * t, 1.4 * (t - 1200.0))
    result = score(workout(t, lat=46.0 + metres / METRES_PER_DEGREE, lon=14.0), "walk")
    assert result.distance_m == pytest.approx(1.4 * 1170.0, rel=1e-6)
    assert result.moving_time_s < 1200.0


# --- 2. Timer pauses ----------------------------------------------------------------------------------
def test_timer_pauses_leave_the_stop_out_of_recorded_time_and_the_integrals() -> None:
    # given a ride with a 40-minute stop during which the timer was stopped
    data = ride_with_a_stop(2400.0)
    stop = (T0 + 3599.0, T0 + 3599.0 + 2401.0)
    without_stop = score(workout(np.arange(7200.0), hr=140, speed=8.0, cadence=85))
    # when it is scored with the timer's pause
    result = score(data, pauses=[stop])
    # then elapsed time keeps the stop, recorded and moving time, TRIMP and energy leave it out
    assert result.duration_s == 7199.0 + 2400.0
    assert result.recorded_s == pytest.approx(7199.0 - 1.0)
    assert result.trimp_banister == pytest.approx(without_stop.trimp_banister, rel=1e-3)
    assert result.energy_kcal == pytest.approx(without_stop.energy_kcal, rel=1e-3)
    assert result.timer_pauses is True
    assert "timer was stopped" in result.explain()["duration"]


def test_a_sparse_recording_without_a_timer_is_not_paused_between_its_points() -> None:
    # given a walk recorded every 30 s (no timer events), with one 20-minute stop
    t = np.concatenate((np.arange(0.0, 1800.0, 30.0), 3000.0 + np.arange(0.0, 1800.0, 30.0)))
    result = score(workout(t, hr=110), "walk")
    # then each point stands for its 30 s; the stop counts three spacings (90 s)
    assert result.recorded_s == 2 * 1770.0 + 90.0


def test_a_gps_drop_while_the_timer_runs_counts_whole() -> None:
    # given 14 s without samples while the timer ran (a tunnel), and the timer events to say so
    t = np.concatenate((np.arange(0.0, 600.0), np.arange(613.0, 1200.0)))
    data = workout(t, hr=140, speed=8.0)
    with_timer = score(data, pauses=[])
    gap_rule = score(data)
    # then all 14 s count with the timer; the gap rule (no timer events) counts 10 of them
    assert with_timer.recorded_s == 1199.0
    assert gap_rule.recorded_s == 1199.0 - 4.0


def test_scoring_a_fit_with_a_pause_uses_the_pause_from_its_timer_events() -> None:
    # given the rider's FIT file with a 17-minute café stop, timer stopped
    data = ride_with_a_stop(17 * 60.0)
    cols = {name: data[name].to_numpy() for name in COLUMNS}
    stop = (T0 + 3599.0, T0 + 3600.0 + 17 * 60.0)
    start = datetime.fromtimestamp(T0, tz=UTC)
    activity = parse_activity(export_fit(cols, sport="ride", started_at=start, pauses=[stop]), "x")
    # when it is scored with what the import read
    result = score(activity.to_frame(), pauses=activity.pauses)
    # then no flag, the stop is out of recorded time, and the distance is the counter's
    assert result.flags == ()
    assert result.recorded_s == pytest.approx(7199.0 - 1.0)
    assert result.distance_m == pytest.approx(8.0 * 7199.0)


# --- 3. Flags that punished real rides -------------------------------------------------------------
@pytest.mark.parametrize("minutes", [17, 42])
def test_a_cafe_stop_on_a_long_ride_is_not_flagged(minutes: int) -> None:
    result = score(ride_with_a_stop(minutes * 60.0))
    assert result.flags == ()
    assert result.counts_for_leaderboards is True


def test_soft_pedalling_while_coasting_is_not_flagged() -> None:
    # given 5 minutes of coasting downhill at 45 km/h turning the pedals at 26-28 rpm
    cadence = np.where(np.arange(3600) % 2 == 0, 26.0, 28.0)
    speed = np.full(3600, 8.0)
    speed[1000:1300] = 12.5
    result = score(workout(np.arange(3600.0), hr=130, speed=speed, cadence=cadence))
    assert result.flags == ()


def test_a_foot_pod_on_a_bike_is_still_flagged_for_a_run() -> None:
    result = score(workout(np.arange(600.0), speed=8.0, cadence=100), "run")
    assert [flag.code for flag in result.flags] == ["cadence_speed_mismatch"]


# --- 4. Heart-rate variability in scoring -----------------------------------------------------------
def test_a_bad_first_rr_interval_does_not_inflate_sdnn() -> None:
    # given a steady strap recording whose first interval was measured from a half-seen beat
    rng = np.random.default_rng(2)
    clean = 800 + rng.normal(0, 14, 600)
    rr = np.concatenate(([1450.0], clean))
    result = score(workout(np.arange(480.0), hr=75), "yoga", rr=rr)
    assert result.rr_artefacts == 1
    assert result.sdnn_ms == pytest.approx(float(np.std(clean, ddof=1)))


# --- 6. Top speed ----------------------------------------------------------------------------------
def test_a_one_sample_speed_spike_is_not_the_top_speed() -> None:
    speed = np.full(3600, 9.0)
    speed[100:160] = 14.0
    speed[2000] = 94 / 3.6
    result = score(workout(np.arange(3600.0), speed=speed))
    assert result.max_speed_mps == 14.0
    assert "held for 2 samples" in result.explain()["speed"]


def test_a_gpx_point_off_the_track_makes_no_330_kmh_top_speed() -> None:
    # given a ride every 5 s at 8 m/s with one position 2.3 km off the track
    t = np.arange(0.0, 3600.0, 5.0)
    lat = 46.0 + 8.0 * t / METRES_PER_DEGREE
    lon = np.full(t.size, 14.0)
    lon[300] += 2300 / (METRES_PER_DEGREE * math.cos(math.radians(46.0)))
    result = score(workout(t, lat=lat, lon=lon))
    assert result.max_speed_mps == pytest.approx(8.0, rel=1e-3)


# --- 7. Energy during heart-rate dropouts ------------------------------------------------------------
def test_energy_explanation_says_which_part_came_from_heart_rate_and_which_from_the_sport() -> None:
    # given an hour's ride at 200 W whose strap is silent for its last 15 minutes
    hr = np.where(np.arange(3601) < 2700, 140.0, np.nan)
    result = score(workout(np.arange(3601.0), hr=hr, power=200.0, speed=8.0))
    assert result.energy_method == "keytel+met"
    assert result.energy_met_s == 900.0
    assert 0 < result.energy_met_kcal < result.energy_kcal
    sentence = result.explain()["energy"]
    assert (
        f"{result.energy_kcal - result.energy_met_kcal:.0f} kcal from your heart rate" in sentence
    )
    assert f"{result.energy_met_kcal:.0f} kcal over the 15:00 without heart rate" in sentence


# --- 12. Best efforts at scoring -------------------------------------------------------------------
def test_a_run_scores_its_fastest_standard_distances() -> None:
    # given 50 minutes at 3.5 m/s with a kilometre at 5 m/s
    speed = np.full(3000, 3.5)
    speed[1000:1200] = 5.0
    distance = np.concatenate(([0.0], np.cumsum(speed[:-1])))
    result = score(workout(np.arange(3000.0), speed=speed, distance=distance), "run")
    assert set(result.best_times) == {"400 m", "1 km", "1 mile", "5 km", "10 km"}
    assert result.best_times["1 km"] == pytest.approx(200.0, abs=1.0)
    assert result.best_powers == {}


def test_a_ride_scores_its_best_powers_and_distances() -> None:
    power = np.full(3601, 180.0)
    power[600:900] = 300.0
    result = score(
        workout(np.arange(3601.0), speed=8.0, power=power, distance=8.0 * np.arange(3601.0))
    )
    assert result.best_powers["5 min"] == pytest.approx(300.0)
    assert result.best_powers["60 min"] == pytest.approx((3300 * 180 + 300 * 300) / 3600, rel=1e-3)
    assert result.best_times["10 km"] == pytest.approx(1250.0, abs=1.0)


# --- 10. Export and import give the same score, for every shared device file -----------------------
def _shared_activities(shared_data: Path) -> list[tuple[str, Any]]:
    found = []
    for path in sorted([*shared_data.glob("fit/*.fit"), *shared_data.glob("gpx/*.gpx")]):
        try:
            found.append((path.name, parse_activity(path.read_bytes(), path.name)))
        except ActivityFileInvalid:
            continue  # refused files have nothing to round-trip (tested in tests/devices)
    return found


def _score_of(activity: Any) -> WorkoutScore:
    return score_workout(
        activity.to_frame(),
        activity.rr,
        RIDER,
        activity.sport,
        indoor=activity.indoor,
        elapsed_s=activity.duration_s,
        now=NOW + 1e10,
        pauses=activity.pauses if activity.timer else None,
    )


def test_fit_export_and_import_keeps_the_score_of_every_shared_file(shared_data: Path) -> None:
    activities = _shared_activities(shared_data)
    assert len(activities) >= 9
    for name, activity in activities:
        back = parse_activity(
            export_fit(
                activity.columns,
                sport=activity.sport,
                started_at=activity.started_at,
                indoor=activity.indoor,
                rr=activity.rr,
                rr_t=activity.rr_t,
                ended_at=activity.ended_at,
                # a file without timer events exports the gap rule's pauses as timer pauses
                pauses=activity.pauses if activity.timer else gap_pauses(activity.columns["t"]),
                laps=activity.laps,
            ),
            name,
        )
        before, after = _score_of(activity), _score_of(back)
        assert after.points == before.points, name
        assert after.sport == before.sport, name
        assert (back.started_at, back.ended_at) == (activity.started_at, activity.ended_at), name
        for metric in ("trimp_banister", "distance_m", "moving_time_s"):
            assert getattr(after, metric) == pytest.approx(
                getattr(before, metric), rel=0.005, abs=0.5
            ), (name, metric)
