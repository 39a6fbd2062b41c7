"""wellness.scoring.hrv: one RR artefact filter for workouts and classes (issue 20, point 4).

Sequences are generated: a steady heart with 15 ms beat-to-beat variation, then ectopic beats
(a short interval and its compensatory pause), missed beats (a double interval), a bad first
interval and real rises of heart rate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wellness.scoring.hrv import accepted_beats, hrv, local_median
from wellness.scoring.rules import HRV_MIN_BEATS


def steady(n: int = 300, mean: float = 800.0, seed: int = 0) -> np.ndarray:
    return mean + np.random.default_rng(seed).normal(0, 15, n)


def rmssd(r: np.ndarray) -> float:
    return math.sqrt(float(np.mean(np.diff(r) ** 2)))


def test_a_clean_sequence_keeps_every_beat_and_gives_the_textbook_figures() -> None:
    r = steady()
    result = hrv(r)
    assert (result.beats, result.artefacts) == (300, 0)
    assert result.rmssd_ms == pytest.approx(rmssd(r))
    assert result.sdnn_ms == pytest.approx(float(np.std(r, ddof=1)))


def test_a_bad_first_interval_is_removed_and_the_rest_kept() -> None:
    # given a strap's first interval measured from a half-seen beat (issue: SDNN 13.9 -> 48.3 ms)
    clean = steady()
    r = np.concatenate(([1450.0], clean))
    result = hrv(r)
    assert (result.beats, result.artefacts) == (300, 1)
    assert result.sdnn_ms == pytest.approx(float(np.std(clean, ddof=1)))


def test_ectopic_beats_and_their_compensatory_pauses_are_removed() -> None:
    # given a premature beat every 50 (60 % of the interval) and its pause (140 %)
    r = steady()
    ectopic = np.arange(25, 300, 50)
    r[ectopic] *= 0.6
    r[ectopic + 1] *= 1.4
    keep = accepted_beats(r)
    assert not keep[ectopic].any()
    assert not keep[ectopic + 1].any()
    assert int(keep.sum()) == 300 - 2 * ectopic.size


def test_missed_beats_one_or_two_in_a_row_are_removed() -> None:
    r = steady()
    r[100] = 2 * 800.0  # one beat not detected: a double interval
    r[200:202] = 1600.0  # two in a row: they agree with each other, not with their neighbours
    keep = accepted_beats(r)
    assert not keep[[100, 200, 201]].any()
    # a pair also pulls the median of the beat on either side of it: those two go as well
    assert np.flatnonzero(~keep).tolist() == [100, 199, 200, 201, 202]


def test_a_quick_real_rise_of_heart_rate_keeps_its_beats() -> None:
    # given a sprint: 75 to 150 bpm (800 to 400 ms) within 20 beats, then steady
    r = np.concatenate(
        (steady(150, 800.0, 1), np.linspace(800, 400, 20), steady(150, 400.0, 2) * 0.99)
    )
    keep = accepted_beats(r)
    assert int(keep.sum()) >= r.size - 2


def test_a_sudden_step_of_over_20_percent_loses_at_most_the_beats_at_the_step() -> None:
    # given a step from 800 to 600 ms (75 to 100 bpm) from one beat to the next
    r = np.concatenate((np.full(150, 800.0), np.full(150, 600.0)))
    keep = accepted_beats(r)
    # the old class filter compared with the last accepted beat and lost all 150 after the step
    assert int(keep.sum()) >= 296


def test_out_of_range_and_missing_intervals_are_artefacts_not_errors() -> None:
    r = steady(40)
    r[5], r[10], r[15] = 250.0, 2500.0, np.nan
    result = hrv(r)
    assert (result.beats, result.artefacts) == (37, 3)


def test_too_few_clean_beats_give_no_figures() -> None:
    result = hrv(steady(HRV_MIN_BEATS - 1))
    assert (result.rmssd_ms, result.sdnn_ms, result.beats) == (None, None, HRV_MIN_BEATS - 1)
    assert hrv(None) == (None, None, 0, 0)
    assert hrv([]) == (None, None, 0, 0)


def test_rmssd_skips_differences_across_a_removed_beat() -> None:
    r = steady(100)
    r[50] = 1600.0
    result = hrv(r)
    kept = np.delete(r, 50)
    pairs = np.delete(np.diff(r), [49, 50])
    assert result.rmssd_ms == pytest.approx(math.sqrt(float(np.mean(pairs**2))))
    assert result.sdnn_ms == pytest.approx(float(np.std(kept, ddof=1)))


def test_local_median_is_the_median_of_the_four_neighbours() -> None:
    r = np.array([1.0, 2.0, 30.0, 4.0, 5.0, 6.0])
    # for index 2: neighbours 1, 2, 4, 5 -> 3; ends mirror (index 0: 30, 2, 2, 30 -> 16)
    assert local_median(r)[2] == 3.0
    assert local_median(r)[0] == 16.0
