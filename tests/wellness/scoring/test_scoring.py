"""The pure scoring computation: published worked examples, hand-computed values, bad data."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from benchmarks.scoring import agreement, naive_elevation_gain, naive_hrv, synthetic_run
from wellness.scoring.engine import score_workout
from wellness.scoring.fitness import fitness_fatigue_form
from wellness.scoring.handoff import ScoredWorkout, scored_workout
from wellness.scoring.heart import keytel_kcal_per_min
from wellness.scoring.hrv import hrv
from wellness.scoring.levels import LiveEffort, level_for_xp, xp_for_level
from wellness.scoring.results import Athlete, UnscorableWorkout
from wellness.scoring.rules import COLUMNS

T0 = 1_750_000_000.0  # 2025-06-15, a valid device time
NOW = T0 + 86_400
RUNNER = Athlete(age=40, sex="male", weight_kg=75, resting_hr=60, max_hr=190, lthr=170)


def frame(seconds: int = 3600, **columns: Any) -> pd.DataFrame:
    """A 1 Hz workout of ``seconds + 1`` samples (so it spans exactly ``seconds``)."""
    n = seconds + 1
    data = {name: np.full(n, np.nan) for name in COLUMNS}
    data["t"] = T0 + np.arange(n, dtype=np.float64)
    for name, value in columns.items():
        data[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), n).copy()
    return pd.DataFrame(data, columns=list(COLUMNS))


def score(data: pd.DataFrame, athlete: Athlete = RUNNER, sport: str = "run", **kw: Any) -> Any:
    return score_workout(data, kw.pop("rr", None), athlete, sport, now=NOW, **kw)


# --- Training load ----------------------------------------------------------------------------------
def test_banister_trimp_for_an_hour_at_constant_heart_rate_matches_the_hand_computation() -> None:
    # HRr = (150 - 60) / (190 - 60); men: TRIMP = minutes * HRr * 0.64 * e^(1.92 * HRr)
    hrr = 90 / 130

    result = score(frame(hr=150))

    assert result.trimp_banister == pytest.approx(60 * hrr * 0.64 * math.exp(1.92 * hrr), rel=1e-12)
    assert result.trimp_banister == pytest.approx(100.44, abs=0.01)


def test_banister_trimp_uses_the_female_coefficients_for_women() -> None:
    hrr = 90 / 130
    athlete = Athlete(age=40, sex="female", weight_kg=60, resting_hr=60, max_hr=190)

    result = score(frame(hr=150), athlete)

    assert result.trimp_banister == pytest.approx(60 * hrr * 0.86 * math.exp(1.67 * hrr), rel=1e-12)


def test_banister_trimp_without_a_sex_is_the_mean_of_both_curves() -> None:
    hrr = 90 / 130
    athlete = Athlete(age=40, resting_hr=60, max_hr=190)
    male = 60 * hrr * 0.64 * math.exp(1.92 * hrr)
    female = 60 * hrr * 0.86 * math.exp(1.67 * hrr)

    result = score(frame(hr=150), athlete)

    assert result.trimp_banister == pytest.approx((male + female) / 2, rel=1e-12)


def test_integrated_trimp_of_intervals_exceeds_trimp_of_their_average_heart_rate() -> None:
    # Half an hour at 110 and half at 170 averages 140 bpm, but the exponential weights the hard
    # half more: integrating per sample credits intervals that an average would hide.
    intervals = np.where(np.arange(3601) < 1800, 110.0, 170.0)
    hrr_avg = (140 - 60) / 130

    result = score(frame(hr=intervals))

    assert result.hr_avg == pytest.approx(140, abs=0.02)
    assert result.trimp_banister > 1.05 * 60 * hrr_avg * 0.64 * math.exp(1.92 * hrr_avg)


def test_edwards_trimp_is_zone_minutes_times_zone_number() -> None:
    # 150 bpm is 79 % of 190: Edwards zone 3 (70-80 %), so an hour scores 60 x 3
    result = score(frame(hr=150))

    assert result.trimp_edwards == pytest.approx(180.0)


def test_one_hour_at_lactate_threshold_is_a_training_load_of_100() -> None:
    result = score(frame(hr=170))

    assert result.training_load == pytest.approx(100.0, rel=1e-12)


def test_half_an_hour_at_lactate_threshold_is_a_training_load_of_50() -> None:
    result = score(frame(1800, hr=170))

    assert result.training_load == pytest.approx(50.0, rel=1e-12)


# --- Zones ------------------------------------------------------------------------------------------
def test_karvonen_zone_bounds_match_the_worked_example() -> None:
    # Max 180, resting 70: reserve 110; 50 % -> 70 + 55 = 125, 60 % -> 136, ... 90 % -> 169
    athlete = Athlete(age=40, resting_hr=70, max_hr=180)

    result = score(frame(hr=130), athlete)

    assert result.zone_method == "karvonen"
    assert result.zone_bounds == pytest.approx((125.0, 136.0, 147.0, 158.0, 169.0))


def test_time_in_zones_counts_each_second_in_its_karvonen_zone() -> None:
    athlete = Athlete(age=40, resting_hr=70, max_hr=180)
    hr = np.repeat([100.0, 130.0, 140.0, 150.0, 160.0, 175.0], 600)
    data = frame(3599, hr=hr)

    result = score(data, athlete)

    assert result.zone_seconds == (600.0, 600.0, 600.0, 600.0, 599.0)


def test_user_defined_zones_replace_karvonen() -> None:
    athlete = Athlete(age=40, resting_hr=70, max_hr=180, zone_bounds=(100, 120, 140, 160, 170))

    result = score(frame(hr=130), athlete)

    assert (result.zone_method, result.zone_seconds) == ("custom", (0.0, 3600.0, 0.0, 0.0, 0.0))


def test_zones_fall_back_to_percent_of_maximum_without_a_resting_heart_rate() -> None:
    athlete = Athlete(age=40, max_hr=200)

    result = score(frame(hr=130), athlete)

    assert result.zone_method == "percent_max"
    assert result.zone_bounds == pytest.approx((100.0, 120.0, 140.0, 160.0, 180.0))


def test_zone_bounds_that_do_not_increase_are_refused() -> None:
    with pytest.raises(ValueError, match="five strictly increasing"):
        Athlete(zone_bounds=(100, 120, 120, 160, 170))


# --- Energy -----------------------------------------------------------------------------------------
def test_keytel_equation_for_a_man_matches_the_published_coefficients() -> None:
    # Keytel et al. 2005, men, without VO2max: kJ/min = -55.0969 + 0.6309 HR + 0.1988 W + 0.2017 A
    expected = (-55.0969 + 0.6309 * 150 + 0.1988 * 75 + 0.2017 * 30) / 4.184

    assert keytel_kcal_per_min(np.array([150.0]), 30, 75, "male")[0] == pytest.approx(expected)
    assert expected == pytest.approx(14.46, abs=0.01)


def test_keytel_equation_for_a_woman_matches_the_published_coefficients() -> None:
    expected = (-20.4022 + 0.4472 * 150 - 0.1263 * 60 + 0.074 * 30) / 4.184

    assert keytel_kcal_per_min(np.array([150.0]), 30, 60, "female")[0] == pytest.approx(expected)


def test_energy_of_an_hour_at_constant_heart_rate_is_sixty_keytel_minutes() -> None:
    result = score(frame(hr=150), RUNNER)

    per_minute = (-55.0969 + 0.6309 * 150 + 0.1988 * 75 + 0.2017 * 40) / 4.184
    assert (result.energy_method, result.energy_kcal) == ("keytel", pytest.approx(60 * per_minute))


def test_yoga_without_a_strap_is_scored_from_its_duration_with_the_met_value() -> None:
    empty = frame(0).iloc[0:0]
    athlete = Athlete(weight_kg=60)

    result = score(empty, athlete, "yoga", elapsed_s=3600.0)

    # Hatha yoga 2.5 MET (Ainsworth 2011) x 0.0175 kcal/kg/min x 60 kg x 60 min
    assert result.energy_kcal == pytest.approx(2.5 * 0.0175 * 60 * 60)
    assert (result.energy_method, result.mindful_minutes, result.points) == ("met", 60.0, 90)
    assert result.active_minutes == 0.0


def test_energy_without_heart_rate_uses_the_acsm_running_equation_with_speed() -> None:
    # ACSM running: VO2 = 3.5 + 0.2 x 180 m/min = 39.5 ml/kg/min = 11.29 MET at 3 m/s
    result = score(frame(speed=3.0), Athlete(weight_kg=70))

    met = (3.5 + 0.2 * 180) / 3.5
    assert result.energy_kcal == pytest.approx(met * 0.0175 * 70 * 60)
    assert result.points == round((met - 1) * 60)


# --- HRV --------------------------------------------------------------------------------------------
def test_rmssd_and_sdnn_match_a_plain_python_computation_after_artefact_removal() -> None:
    rng = np.random.default_rng(7)
    rr = list(800 + rng.normal(0, 25, 300))
    rr[50] = 450.0  # premature beat, more than 20 % off the median of its four neighbours
    rr[120] = 2500.0  # missed beat, outside 300-2000 ms
    accepted = []
    for i, beat in enumerate(rr):
        # the two beats before and after, mirrored at the ends; the median of four
        around = sorted(rr[abs(j) if j < 300 else 598 - j] for j in (i - 2, i - 1, i + 1, i + 2))
        median = (around[1] + around[2]) / 2
        accepted.append(300 <= beat <= 2000 and abs(beat - median) <= 0.2 * median)
    clean = [beat for beat, ok in zip(rr, accepted, strict=True) if ok]
    diffs = [rr[i] - rr[i - 1] for i in range(1, len(rr)) if accepted[i] and accepted[i - 1]]
    mean = sum(clean) / len(clean)

    result = score(frame(600, hr=75), sport="yoga", rr=np.array(rr))

    assert result.rr_artefacts == 300 - len(clean)
    assert result.rmssd_ms == pytest.approx(math.sqrt(sum(d * d for d in diffs) / len(diffs)))
    assert result.sdnn_ms == pytest.approx(
        math.sqrt(sum((b - mean) ** 2 for b in clean) / (len(clean) - 1))
    )
    assert result.rr_artefacts == 2  # both bad beats; the beats beside them are kept


def test_hrv_needs_at_least_twenty_clean_beats() -> None:
    result = score(frame(60, hr=75), sport="yoga", rr=np.full(10, 800.0))

    assert (result.rmssd_ms, result.sdnn_ms, result.rr_beats) == (None, None, 10)
    assert "at least 20" in result.explain()["hrv"]


# --- Movement ---------------------------------------------------------------------------------------
def test_distance_moving_time_and_pace_from_a_steady_run() -> None:
    stopped = np.r_[np.full(3000, 3.0), np.zeros(601)]
    distance = np.r_[0.0, np.cumsum(stopped[:-1])]

    result = score(frame(speed=stopped, distance=distance))

    assert (result.distance_m, result.moving_time_s) == (9000.0, 3000.0)
    assert result.pace_s_per_km == pytest.approx(1000 / 3.0)


def test_elevation_gain_ignores_sensor_noise_but_counts_a_real_climb() -> None:
    rng = np.random.default_rng(3)
    flat = 100 + rng.normal(0, 0.3, 1801)
    climb = 100 + np.linspace(0, 50, 1800) + rng.normal(0, 0.3, 1800)

    flat_gain = score(frame(1800, altitude=flat)).elevation_gain_m
    climb_gain = score(frame(3599, altitude=np.r_[flat[:-1], climb + 0.0])).elevation_gain_m

    assert flat_gain < 3.0
    assert climb_gain == pytest.approx(50.0, abs=3.0)


# --- Real files -------------------------------------------------------------------------------------
def read_records(path: Any, *, strides: bool) -> pd.DataFrame:
    """A FIT record dump as the contract frame (FIT running cadence counts strides: x2 = steps)."""
    raw = pd.read_csv(path)
    stamps = raw["timestamp"].str.replace("PDT", "-0700", regex=False)
    when = pd.to_datetime(stamps, format="%a %b %d %H:%M:%S %z %Y")
    data = {name: np.full(len(raw), np.nan) for name in COLUMNS}
    data["t"] = (when - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    data["hr"] = raw["heart_rate"].to_numpy(float)
    data["cadence"] = raw["cadence"].to_numpy(float) * (2 if strides else 1)
    data["speed"] = raw["speed"].to_numpy(float)
    data["distance"] = raw["distance"].to_numpy(float)
    data["altitude"] = raw["altitude"].to_numpy(float)
    return pd.DataFrame(data, columns=list(COLUMNS))


@pytest.mark.parametrize(
    ("name", "sport"), [("garmin-fenix-5-run", "run"), ("garmin-edge-820-bike", "ride")]
)
def test_metrics_of_real_recordings_match_a_plain_python_computation(
    shared_data: Any, name: str, sport: str
) -> None:
    data = read_records(shared_data / "fit" / f"{name}-records.csv", strides=sport == "run")
    rows = data.to_dict("records")
    holds = [min(b["t"] - a["t"], 10.0) for a, b in itertools.pairwise(rows)] + [0.0]
    hr_time = sum(holds)
    turning = [(r["cadence"], h) for r, h in zip(rows, holds, strict=True) if r["cadence"] > 0]

    result = score(data, sport=sport)

    assert result.samples == len(rows)
    assert result.duration_s == rows[-1]["t"] - rows[0]["t"]
    # the counter started with the recording (its first value is seconds' worth): counted from 0
    assert rows[0]["distance"] < 10.0
    assert result.distance_m == pytest.approx(rows[-1]["distance"])
    assert result.hr_avg == pytest.approx(
        sum(r["hr"] * h for r, h in zip(rows, holds, strict=True)) / hr_time
    )
    assert result.hr_max == max(r["hr"] for r in rows)
    assert result.cadence_max == max(c for c, _ in turning)
    assert result.cadence_avg == pytest.approx(
        sum(c * h for c, h in turning) / sum(h for _, h in turning)
    )
    assert result.elevation_gain_m == pytest.approx(
        naive_elevation_gain([r["altitude"] for r in rows], [r["t"] for r in rows])
    )
    assert result.moving_time_s == sum(
        h for r, h in zip(rows, holds, strict=True) if r["speed"] >= 0.5
    )
    assert result.flags == ()


# --- Bad data ---------------------------------------------------------------------------------------
def test_an_empty_workout_without_start_and_end_is_rejected_with_a_reason() -> None:
    with pytest.raises(UnscorableWorkout, match="no samples") as caught:
        score(frame(0).iloc[0:0])

    assert caught.value.code == "no_samples"


def test_a_frame_without_the_contract_columns_is_rejected_with_a_reason() -> None:
    with pytest.raises(UnscorableWorkout, match="lacks the column") as caught:
        score(frame(10).drop(columns=["hr", "lat"]))

    assert (caught.value.code, "hr, lat" in caught.value.reason) == ("bad_frame", True)


def test_an_unknown_sport_is_rejected() -> None:
    with pytest.raises(UnscorableWorkout, match="Unknown sport"):
        score(frame(10), sport="chess")


def test_a_single_sample_scores_zero_without_crashing() -> None:
    result = score(frame(0, hr=120, speed=3.0))

    assert (result.samples, result.duration_s, result.points, result.distance_m) == (1, 0, 0, 0)
    assert result.hr_avg == 120.0


def test_a_workout_of_only_zeros_scores_nothing_and_flags_no_heart_rate() -> None:
    zeros = frame(0)
    zeros.loc[:, :] = 0.0

    result = score(pd.concat([zeros] * 50, ignore_index=True))

    assert (result.samples, result.hr_avg, result.distance_m) == (1, None, 0.0)
    assert [flag.code for flag in result.flags] == ["clock_error", "clock_error"]


def test_nans_everywhere_but_time_are_scored_from_the_sport() -> None:
    result = score(frame(600), Athlete(weight_kg=70), "walk")

    assert (result.hr_avg, result.energy_method, result.points) == (None, "met", round(2.5 * 10))


def test_unsorted_samples_are_put_in_order_and_flagged() -> None:
    ordered = frame(600, hr=140, speed=3.0)
    shuffled = ordered.sample(frac=1.0, random_state=1)

    result = score(shuffled)

    assert result.trimp_banister == pytest.approx(score(ordered).trimp_banister)
    assert [flag.code for flag in result.flags] == ["clock_error"]


# --- Plausibility -----------------------------------------------------------------------------------
def test_heart_rate_outside_25_to_230_is_flagged_and_ignored() -> None:
    hr = np.r_[np.full(3000, 140.0), np.full(601, 250.0)]

    result = score(frame(hr=hr))

    assert [flag.code for flag in result.flags] == ["heart_rate_out_of_range"]
    assert (result.hr_max, result.counts_for_leaderboards) == (140.0, False)


def test_a_heart_rate_of_zero_means_no_contact_and_is_not_flagged() -> None:
    result = score(frame(hr=np.r_[np.full(3000, 140.0), np.zeros(601)]))

    assert (result.flags, result.hr_seconds) == ((), 3000.0)


def test_running_faster_than_any_human_is_flagged() -> None:
    result = score(frame(600, speed=15.0))

    assert [flag.code for flag in result.flags] == ["speed_implausible"]


def test_a_foot_pod_with_a_cadence_no_runner_could_have_at_that_speed_is_flagged() -> None:
    # 8 m/s at 100 steps/min would be 4.8 m steps: a pod on a bike or in a car
    result = score(frame(600, speed=8.0, cadence=100))

    # and ten minutes at 8 m/s is faster than the 3000 m world record's 6.8 m/s
    assert [flag.code for flag in result.flags] == ["speed_sustained", "cadence_speed_mismatch"]


def test_a_jump_in_distance_is_flagged() -> None:
    distance = np.r_[np.arange(300) * 3.0, 5000 + np.arange(301) * 3.0]

    result = score(frame(600, distance=distance))

    assert [flag.code for flag in result.flags] == ["distance_jump"]


def test_a_gap_longer_than_any_stop_in_the_recording_is_flagged() -> None:
    data = frame(600, hr=130)
    data.loc[300:, "t"] += 4 * 3600

    result = score(data)

    assert [flag.code for flag in result.flags] == ["gap"]
    assert result.recorded_s == 599.0 + 10.0


def test_a_device_clock_that_was_never_set_is_flagged() -> None:
    data = frame(60, hr=130)
    data["t"] -= T0 - 631_065_600  # the FIT epoch, 1989-12-31

    assert [flag.code for flag in score(data).flags] == ["clock_error"]


def test_samples_from_the_future_are_flagged() -> None:
    data = frame(60, hr=130)
    data["t"] += 2 * 86_400

    assert [flag.code for flag in score(data).flags] == ["clock_error"]


# --- Points, XP, levels -----------------------------------------------------------------------------
def test_a_strap_never_lowers_the_points_of_the_same_workout() -> None:
    hr = np.linspace(70, 120, 3601)

    with_strap = score(frame(hr=hr), RUNNER, "walk")
    without = score(frame(), RUNNER, "walk")

    assert with_strap.points >= without.points == round(2.5 * 60)


def test_points_are_one_per_met_minute_above_rest_for_every_sport() -> None:
    athlete = Athlete(weight_kg=80)

    points = {sport: score(frame(), athlete, sport).points for sport in ("yoga", "walk", "other")}

    assert points == {"yoga": 90, "walk": 150, "other": 180}


def test_effort_distance_is_the_same_rule_for_every_sport() -> None:
    result = score(frame(), Athlete(), "yoga")

    assert result.effort_distance_m == result.points * 17.5


@pytest.mark.parametrize(
    ("level", "xp"), [(1, 0), (2, 500), (3, 1414), (5, 4000), (10, 13500), (20, 41410)]
)
def test_the_level_curve(level: int, xp: int) -> None:
    assert xp_for_level(level) == xp
    assert level_for_xp(xp) == level
    if level > 1:
        assert level_for_xp(xp - 1) == level - 1


def test_levels_rise_during_a_live_workout() -> None:
    live = LiveEffort(athlete=Athlete(weight_kg=70), sport="run", xp_before=480)
    batches = [
        [{"t": T0 + i, "speed": 3.0} for i in range(start, start + 60)] for start in (0, 60, 120)
    ]

    first, second, third = (live.feed(batch) for batch in batches)

    # 3 m/s is 11.29 MET: about 10.3 points a minute
    assert (first.level, first.levelled_up) == (1, False)
    assert (second.level, second.levelled_up, second.xp) == (2, True, 480 + second.points)
    assert (third.level, third.levelled_up) == (2, False)


def test_live_points_match_the_final_score() -> None:
    athlete = Athlete(age=40, sex="male", weight_kg=75, resting_hr=60, max_hr=190)
    data = frame(1200, hr=np.linspace(100, 170, 1201), speed=3.0)
    live = LiveEffort(athlete=athlete, sport="run")
    rows = data.to_dict("records")
    for start in range(0, len(rows), 37):
        progress = live.feed(
            [{str(k): v for k, v in r.items() if v == v} for r in rows[start : start + 37]]
        )

    assert progress.points == int(score(data, athlete).met_minutes)


_live_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-300, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-5.0, 400.0),
    st.sampled_from([0.0, -0.0, 2.2, 12.5, 24.5, 25.5, 229.5, 230.5, 1e308]),
)
_live_sample = st.fixed_dictionaries(
    {"t": st.floats(T0, T0 + 1e6)},
    optional={key: _live_value for key in ("hr", "speed", "distance", "power")},
)
# What survives the ingest's validation (the level count of absurd points would take forever).
_live_sample_valid = st.fixed_dictionaries(
    {"t": st.floats(T0, T0 + 1e6)},
    optional={
        key: st.one_of(st.none(), st.booleans(), st.integers(0, 300), st.floats(0.0, 400.0))
        for key in ("hr", "speed", "distance", "power")
    },
)
_live_athlete = st.builds(
    Athlete,
    age=st.one_of(st.none(), st.floats(10, 100), st.integers(10, 100)),
    sex=st.sampled_from([None, "female", "male"]),
    weight_kg=st.one_of(st.none(), st.just(0.0), st.floats(30, 200), st.integers(30, 200)),
)


@given(
    athlete=_live_athlete,
    sport=st.sampled_from(["run", "ride", "walk", "yoga", "other"]),
    indoor=st.booleans(),
    first=_live_sample,
    second=_live_sample,
    gap=st.floats(1e-3, 100.0),
)
@settings(max_examples=1_000, deadline=None)
def test_live_effort_of_one_new_sample_matches_the_array_rule_bit_for_bit(
    athlete: Athlete,
    sport: str,
    indoor: bool,
    first: dict[str, Any],
    second: dict[str, Any],
    gap: float,
) -> None:
    second = {**second, "t": first["t"] + gap}
    live = LiveEffort(athlete=athlete, sport=sport, indoor=indoor)

    with np.errstate(all="ignore"):
        expected = live._rows_met_minutes([first, second])
    got = live._pair_met_minutes(first, second)

    assert got == expected or (math.isnan(got) and math.isnan(expected))
    assert math.copysign(1.0, got) == math.copysign(1.0, expected)


@given(
    athlete=_live_athlete,
    sport=st.sampled_from(["run", "ride", "walk"]),
    batches=st.lists(st.lists(_live_sample_valid, min_size=1, max_size=3), min_size=1, max_size=6),
)
@settings(max_examples=200, deadline=None)
def test_live_effort_fed_one_sample_at_a_time_or_in_batches_uses_the_same_rule(
    athlete: Athlete, sport: str, batches: list[list[dict[str, Any]]]
) -> None:
    samples = sorted((s for batch in batches for s in batch), key=lambda s: s["t"])
    one_by_one = LiveEffort(athlete=athlete, sport=sport)
    pairwise = LiveEffort(athlete=athlete, sport=sport)

    with np.errstate(all="ignore"):
        for sample in samples:
            progress = one_by_one.feed([sample])
    # The same samples through the array path: each new sample with the one before it.
    last: dict[str, Any] | None = None
    for sample in samples:
        if last is not None and sample["t"] > last["t"]:
            with np.errstate(all="ignore"):
                pairwise.met_minutes += pairwise._rows_met_minutes([last, sample])
        if last is None or sample["t"] > last["t"]:
            last = sample

    assert one_by_one.met_minutes == pairwise.met_minutes or (
        math.isnan(one_by_one.met_minutes) and math.isnan(pairwise.met_minutes)
    )
    assert progress.points == int(one_by_one.met_minutes)


# --- Fitness, fatigue, form -------------------------------------------------------------------------
def test_fitness_fatigue_and_form_follow_the_exponential_averages() -> None:
    series = fitness_fatigue_form([100.0, 0.0, 50.0])

    ctl1, atl1 = 100 / 42, 100 / 7
    ctl2, atl2 = ctl1 - ctl1 / 42, atl1 - atl1 / 7
    assert series.fitness == pytest.approx((ctl1, ctl2, ctl2 + (50 - ctl2) / 42))
    assert series.fatigue == pytest.approx((atl1, atl2, atl2 + (50 - atl2) / 7))
    assert series.form == pytest.approx((0.0, ctl1 - atl1, ctl2 - atl2))


def test_fitness_approaches_a_constant_daily_load() -> None:
    series = fitness_fatigue_form([80.0] * 365)

    assert series.fitness[-1] == pytest.approx(80.0, rel=1e-3)
    assert series.form[-1] == pytest.approx(0.0, abs=0.1)


def test_a_negative_daily_load_is_refused() -> None:
    with pytest.raises(ValueError, match="not negative"):
        fitness_fatigue_form([10.0, -1.0])


# --- Explanations and the hand-off ------------------------------------------------------------------
def test_every_metric_has_an_explanation_with_this_workouts_number() -> None:
    result = score(frame(hr=150, speed=3.0, distance=np.arange(3601) * 3.0), rr=np.full(100, 800.0))

    explanations = result.explain()

    assert set(explanations) == {
        "duration", "moving_time", "distance", "speed", "pace", "elevation_gain", "cadence",
        "heart_rate", "zones", "trimp_banister", "trimp_edwards", "training_load", "energy",
        "hrv", "points", "effort_distance", "active_minutes", "mindful_minutes", "flags",
    }  # fmt: skip
    assert explanations["distance"] == "10.80 km from your device's distance counter."
    assert explanations["trimp_banister"].startswith("100: ")
    assert result.as_dict()["explanations"] == explanations


def test_the_hand_off_carries_the_score_and_holds_back_flagged_workouts() -> None:
    result = score(frame(600, speed=15.0))
    start = dt.datetime.fromtimestamp(T0, tz=dt.UTC)
    end = start + dt.timedelta(seconds=600)

    scored = scored_workout(score=result, workout_id=7, user_id=3, started_at=start, ended_at=end)

    assert isinstance(scored, ScoredWorkout)
    assert (scored.points, scored.distance_m, scored.flags) == (
        result.points,
        result.distance_m,
        ("speed_implausible",),
    )
    # held back everywhere: an organizer's acceptance is one challenge's, made on its contribution
    assert scored.counts_for_leaderboards is False


# --- Any frame at all -------------------------------------------------------------------------------
values = st.one_of(
    st.just(np.nan),
    st.just(0.0),
    st.floats(-1e4, 1e4),
    st.sampled_from([np.inf, -np.inf, 25.0, 230.0, 231.0]),
)
athletes = st.builds(
    Athlete,
    age=st.none() | st.integers(0, 110),
    sex=st.none() | st.sampled_from(["female", "male"]),
    weight_kg=st.none() | st.floats(20, 400),
    resting_hr=st.none() | st.integers(25, 99),
    max_hr=st.none() | st.integers(100, 230),
    lthr=st.none() | st.integers(80, 225),
)


@settings(max_examples=200, deadline=None)
@given(
    data=hnp.arrays(np.float64, st.tuples(st.just(9), st.integers(0, 40)), elements=values),
    rr=st.none() | hnp.arrays(np.float64, st.integers(0, 60), elements=values),
    athlete=athletes,
    sport=st.sampled_from(["run", "ride", "walk", "yoga", "other"]),
    elapsed=st.none() | st.floats(0, 1e5),
)
def test_any_frame_is_scored_or_rejected_with_a_reason(
    data: np.ndarray, rr: np.ndarray | None, athlete: Athlete, sport: str, elapsed: float | None
) -> None:
    data[0] += T0
    workout = pd.DataFrame(data.T, columns=list(COLUMNS))

    if elapsed is None and not np.isfinite(data[0]).any():
        with pytest.raises(UnscorableWorkout, match="no samples"):
            score(workout, athlete, sport, rr=rr)
        return

    result = score(workout, athlete, sport, rr=rr, elapsed_s=elapsed)

    numbers = {k: v for k, v in result.as_dict().items() if isinstance(v, float)}
    assert all(math.isfinite(v) and v >= 0 for k, v in numbers.items() if k != "training_load")
    assert result.points >= 0
    assert sum(result.zone_seconds) <= result.recorded_s + 1e-6
    assert result.moving_time_s <= max(result.recorded_s, result.duration_s) + 1e-6
    assert all(isinstance(text, str) and text for text in result.explain().values())


def test_a_ride_with_power_is_scored_from_the_metabolic_cost_of_that_power() -> None:
    # 200 W at 22 % gross efficiency is 909 W metabolic = 13.04 kcal/min; 1 MET at 70 kg is
    # 1.225 kcal/min, so 10.64 MET
    result = score(frame(power=200.0), Athlete(weight_kg=70), "ride")

    met = 200 / 0.22 / (4184 / 60) / (0.0175 * 70)
    assert result.energy_kcal == pytest.approx(met * 0.0175 * 70 * 60)
    assert result.points == round((met - 1) * 60)


def test_vectorised_scoring_matches_the_row_by_row_implementation_of_the_benchmark() -> None:
    workout, rr = synthetic_run(seconds=900, seed=5)

    assert agreement(workout, rr) == []


def test_a_frame_with_values_that_are_not_numbers_is_rejected_with_a_reason() -> None:
    data = frame(10).astype(object)
    data.loc[3, "hr"] = "fast"

    with pytest.raises(UnscorableWorkout, match="not numbers") as caught:
        score(data)

    assert caught.value.code == "bad_frame"


def test_a_negative_elapsed_time_is_rejected_with_a_reason() -> None:
    with pytest.raises(UnscorableWorkout, match="zero or more") as caught:
        score(frame(10), elapsed_s=-5.0)

    assert caught.value.code == "elapsed"


def test_a_live_batch_sent_twice_counts_once() -> None:
    live = LiveEffort(athlete=Athlete(), sport="walk")
    batch = [{"t": T0 + i, "speed": 1.5} for i in range(120)]

    first = live.feed(batch)
    again = live.feed(batch)

    # walking at 1.5 m/s: ACSM 1 + 0.1 x 90 / 3.5 = 3.57 MET, 119 s of it
    assert first.points == int((0.1 * 90 / 3.5) * 119 / 60) == again.points


@pytest.mark.parametrize("case", ["clean", "nan", "inf", "artefacts", "few", "huge", "empty"])
def test_hrv_matches_the_beat_by_beat_rule_and_leaves_its_input_alone(case: str) -> None:
    rng = np.random.default_rng(11)
    rr = 800 + 60 * np.sin(np.arange(8000) / 40) + rng.normal(0, 15, 8000)
    rr = {
        "clean": rr,
        "nan": np.where(rng.random(rr.size) < 0.01, np.nan, rr),
        "inf": np.where(rng.random(rr.size) < 0.01, np.inf, rr),
        "artefacts": rr * (1 + (rng.random(rr.size) < 0.05)),
        "few": rr[:25],
        "huge": np.where(rng.random(rr.size) < 0.01, 1e308, rr),
        "empty": rr[:0],
    }[case]
    before = rr.copy()

    with np.errstate(all="ignore"):  # as score_arrays calls it
        got = hrv(rr)
    expected = naive_hrv(list(rr)) if len(rr) else (None, None, 0, 0)

    assert got[2:] == expected[2:]
    for value, reference in zip(got[:2], expected[:2], strict=True):
        assert (value is None and reference is None) or value == pytest.approx(
            reference, rel=1e-9, nan_ok=True
        )
    assert np.array_equal(rr, before, equal_nan=True)
