"""Yoga-aware scoring: HRV, time in the intended zone, mindful minutes, the relaxation rule."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from devices.activity_files import parse_activity
from wellness.classes.metrics import (
    HrvStartEnd,
    mindful_seconds,
    relaxation_indicator,
    rmssd,
    rmssd_start_end,
    rr_clean,
    time_in_target_zone,
)
from wellness.classes.plan import Breathing, Segment


def simulated_rr(seconds: float, *, mean_ms: float, spread: float, seed: int) -> list[float]:
    """Beats like the device simulator's: respiratory sinus arrhythmia at 6 breaths/min plus noise."""
    rng = np.random.default_rng(seed)
    rr: list[float] = []
    t = 0.0
    while t < seconds:
        breath = math.sin(2 * math.pi * t / 10.0)
        value = mean_ms * (1 + spread * breath + rng.normal(0, spread / 2))
        rr.append(round(value, 1))
        t += value / 1000
    return rr


def rmssd_by_hand(rr: list[float]) -> float:
    """The textbook definition, written independently of the implementation under test."""
    squares = [(b - a) ** 2 for a, b in itertools.pairwise(rr)]
    return math.sqrt(sum(squares) / len(squares))


def test_rmssd_of_a_clean_simulated_series_matches_the_textbook_definition() -> None:
    rr = simulated_rr(300, mean_ms=900, spread=0.05, seed=1)

    assert rr_clean(rr).all()
    assert rmssd(rr) == pytest.approx(rmssd_by_hand(rr), rel=1e-12)


def test_artefacts_are_dropped_with_the_differences_they_would_create() -> None:
    rr = simulated_rr(120, mean_ms=850, spread=0.03, seed=2)
    with_artefacts = [*rr[:20], 2400.0, *rr[20:40], rr[39] * 1.5, *rr[40:]]

    # The pairs around each artefact go; the rest are the clean series' pairs.
    clean_pairs = [*rr[:20], math.nan, *rr[20:40], math.nan, *rr[40:]]
    diffs = [
        (b - a) ** 2
        for a, b in itertools.pairwise(clean_pairs)
        if not (math.isnan(a) or math.isnan(b))
    ]

    assert rmssd(with_artefacts) == pytest.approx(math.sqrt(sum(diffs) / len(diffs)), rel=1e-12)
    assert list(np.flatnonzero(~rr_clean(with_artefacts))) == [20, 41]


def test_too_few_clean_pairs_give_no_rmssd() -> None:
    assert rmssd([800.0, 810.0, 790.0]) is None


def test_start_and_end_rmssd_use_the_first_and_last_two_minutes() -> None:
    calm_start = simulated_rr(120, mean_ms=800, spread=0.02, seed=3)
    relaxed_end = simulated_rr(125, mean_ms=1000, spread=0.06, seed=4)
    rr = calm_start + relaxed_end

    hrv = rmssd_start_end(rr)

    t = np.cumsum(rr) / 1000
    start = [v for v, ti in zip(rr, t, strict=True) if ti <= 120]
    end = [v for v, ti in zip(rr, t, strict=True) if ti > t[-1] - 120]
    assert hrv.start_rmssd == pytest.approx(rmssd_by_hand(start), rel=1e-12)
    assert hrv.end_rmssd == pytest.approx(rmssd_by_hand(end), rel=1e-12)
    assert relaxation_indicator(hrv).label == "relaxed"


def test_rmssd_from_a_fit_file_with_rr_data_matches_the_textbook_definition(
    shared_data: Path,
) -> None:
    path = shared_data / "fit" / "garmin-fenix-5-run.fit"
    rr = [float(v) for v in parse_activity(path.read_bytes(), path.name).rr]
    ok = rr_clean(rr)
    pairs = [(rr[i + 1] - rr[i]) ** 2 for i in range(len(rr) - 1) if ok[i] and ok[i + 1]]

    assert len(rr) == 113
    assert rmssd(rr) == pytest.approx(math.sqrt(sum(pairs) / len(pairs)), rel=1e-12)


def test_relaxation_rule_thresholds() -> None:
    assert relaxation_indicator(HrvStartEnd(30.0, 34.0)).label == "relaxed"
    assert relaxation_indicator(HrvStartEnd(30.0, 31.0)).label == "steady"
    assert relaxation_indicator(HrvStartEnd(30.0, 26.0)).label == "activated"
    assert relaxation_indicator(HrvStartEnd(None, 26.0)).label == "unknown"


def test_time_in_the_intended_zone_is_counted_per_segment() -> None:
    segments = [
        Segment("Rest", 60, "", target_zone=1),
        Segment("Breathe", 30, "", breathing=Breathing(4, 0, 6, 0)),
        Segment("Flow", 60, "", target_zone=2),
    ]
    t = np.arange(0.0, 150.0, 1.0)
    # max 200: zone 1 is 100-119 bpm, zone 2 is 120-139 bpm.
    hr = np.where(t < 45, 110.0, 125.0)
    hr[100:110] = np.nan  # the strap lost contact for ten seconds

    result = time_in_target_zone(t, hr, segments, start_t=0.0, max_hr=200.0)

    assert result == [45.0, None, 50.0]


def test_mindful_minutes_count_a_whole_yoga_class_but_only_breathing_in_hiit() -> None:
    segments = [
        Segment("Intervals", 600, ""),
        Segment("Breathe down", 180, "", breathing=Breathing(4, 0, 6, 0)),
    ]

    assert mindful_seconds("yoga", segments, [600, 179]) == 779
    assert mindful_seconds("breathing", segments, [0, 180]) == 180
    assert mindful_seconds("hiit", segments, [600, 180]) == 180
    assert mindful_seconds("hiit", segments, [600, 100]) == 100
    # Left before the cool-down: intervals only, nothing mindful.
    assert mindful_seconds("hiit", segments, [420, 0]) == 0
