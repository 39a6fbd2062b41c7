"""The pure safety arithmetic (issue 22, point 4): the ceiling a program's rule gives for one
person, and the per-batch ceiling check, at its edges (exactly at the ceiling, dropouts, a single
spike, episodes spanning batches, replays)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wellness.care.rehabilitation.plan import Ceiling, SafetyLimits
from wellness.care.rehabilitation.safety import (
    MAX_GAP_S,
    CeilingEvent,
    CeilingState,
    CeilingUnavailable,
    Physiology,
    ceiling_bpm,
    ceiling_check,
)

NAN = math.nan


def _limits(rule: str, value: int) -> SafetyLimits:
    return SafetyLimits(
        ceiling=Ceiling(rule=rule, value=value),  # type: ignore[arg-type]
        target_zone=None,
        max_rpe=5,
        target_rpe=4,
        pain_stop=5,
    )


# --- ceiling_bpm -------------------------------------------------------------------------------
def test_a_bpm_ceiling_is_itself_whatever_the_physiology() -> None:
    assert ceiling_bpm(_limits("bpm", 118), Physiology(None, None, None)) == 118


def test_heart_rate_reserve_uses_karvonen_with_the_measured_maximum() -> None:
    # 60 + 70% x (180 - 60) = 144
    assert ceiling_bpm(_limits("hrr_percent", 70), Physiology(60, 180, 50)) == 144


def test_heart_rate_reserve_estimates_the_maximum_from_age_and_rounds_down() -> None:
    # Tanaka at 65: 208 - 45.5 = 162.5 -> 162; 70 + 65% x 92 = 129.8 -> 129
    assert ceiling_bpm(_limits("hrr_percent", 65), Physiology(70, None, 65)) == 129


def test_the_beta_blocker_rule_is_resting_plus_its_margin_and_ignores_the_maximum() -> None:
    assert ceiling_bpm(_limits("beta_blocker", 20), Physiology(58, 190, 40)) == 78
    assert ceiling_bpm(_limits("beta_blocker", 20), Physiology(58, None, None)) == 78


@pytest.mark.parametrize(
    ("rule", "physiology"),
    [
        ("hrr_percent", Physiology(None, 180, 50)),
        ("hrr_percent", Physiology(60, None, None)),
        ("hrr_percent", Physiology(120, 110, None)),
        ("beta_blocker", Physiology(None, 180, 50)),
    ],
)
def test_a_rule_without_what_it_needs_is_unavailable(rule: str, physiology: Physiology) -> None:
    with pytest.raises(CeilingUnavailable):
        ceiling_bpm(_limits(rule, 50), physiology)


# --- ceiling_check -----------------------------------------------------------------------------
def test_samples_exactly_at_the_ceiling_are_not_over() -> None:
    check = ceiling_check([0, 1, 2], [119, 120, 120], 120)

    assert check.events == ()
    assert (check.time_above_s, check.peak_over_bpm, check.state.above) == (0.0, 0.0, False)


def test_one_sample_over_triggers_and_the_next_ends_the_episode() -> None:
    check = ceiling_check([0, 1, 2, 3], [110, 121, 110, 110], 120)

    assert [(e.kind, e.t) for e in check.events] == [("crossed", 1.0), ("back_under", 2.0)]
    assert check.events[0].peak_over_bpm == 1.0
    assert (check.events[1].time_above_s, check.events[1].peak_over_bpm) == (1.0, 1.0)
    assert (check.time_above_s, check.state.crossings, check.state.above) == (1.0, 1, False)


def test_an_episode_reports_its_time_above_and_its_peak() -> None:
    t = np.arange(10.0)
    bpm = [100, 100, 125, 130, 128, 122, 119, 100, 126, 100]

    check = ceiling_check(t, bpm, 120)

    assert [(e.kind, e.t) for e in check.events] == [
        ("crossed", 2.0),
        ("back_under", 6.0),
        ("crossed", 8.0),
        ("back_under", 9.0),
    ]
    assert (check.events[1].time_above_s, check.events[1].peak_over_bpm) == (4.0, 10.0)
    assert (check.events[3].time_above_s, check.events[3].peak_over_bpm) == (1.0, 6.0)
    assert (check.time_above_s, check.peak_over_bpm, check.state.crossings) == (5.0, 10.0, 2)


def test_dropouts_neither_start_nor_end_an_episode() -> None:
    check = ceiling_check([0, 1, 2, 3, 4], [125, NAN, 0, 126, 100], 120)

    assert [(e.kind, e.t) for e in check.events] == [("crossed", 0.0), ("back_under", 4.0)]
    # 0 -> 3 (3 s, within the gap limit) and 3 -> 4 count.
    assert check.events[1].time_above_s == 4.0


def test_a_gap_longer_than_the_limit_is_not_time_above() -> None:
    gap = MAX_GAP_S + 5
    check = ceiling_check([0, 1, 1 + gap, 2 + gap], [125, 125, 125, 100], 120)

    assert [e.kind for e in check.events] == ["crossed", "back_under"]
    assert check.events[1].time_above_s == 2.0  # 0 -> 1 and the last second; not the gap


def test_an_episode_spans_batches_and_is_reported_when_it_ends() -> None:
    first = ceiling_check([0, 1, 2], [110, 124, 131], 120)
    second = ceiling_check([3, 4], [127, 123], 120, first.state)
    third = ceiling_check([5, 6], [118, 110], 120, second.state)

    assert [e.kind for e in first.events] == ["crossed"]
    assert second.events == ()
    assert (second.state.above, second.state.episode_started_at) == (True, 1.0)
    assert [(e.kind, e.t, e.time_above_s, e.peak_over_bpm) for e in third.events] == [
        ("back_under", 5.0, 4.0, 11.0)
    ]
    assert (third.state.time_above_s, third.state.peak_over_bpm) == (4.0, 11.0)
    assert third.state.episode_started_at is None


def test_a_batch_delivered_twice_changes_nothing_the_second_time() -> None:
    first = ceiling_check([0, 1, 2], [110, 124, 110], 120)
    again = ceiling_check([0, 1, 2], [110, 124, 110], 120, first.state)

    assert again.events == ()
    assert again.state == first.state


def test_an_empty_or_all_dropout_batch_keeps_the_state() -> None:
    state = CeilingState(above=True, last_t=4.0, episode_started_at=3.0, episode_time_s=1.0)

    assert ceiling_check([], [], 120, state).state == state
    assert ceiling_check([5, 6], [NAN, 0], 120, state).state == state


def test_samples_out_of_order_are_checked_in_time_order() -> None:
    check = ceiling_check([2, 0, 1], [110, 110, 125], 120)

    assert [(e.kind, e.t) for e in check.events] == [("crossed", 1.0), ("back_under", 2.0)]


def test_a_long_batch_matches_a_sample_by_sample_check() -> None:
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.choice([1.0, 1.0, 1.0, 8.0], size=600))
    bpm = 115 + 10 * np.sin(t / 17) + rng.normal(0, 3, size=600)
    bpm[rng.random(600) < 0.05] = NAN

    whole = ceiling_check(t, bpm, 120)
    state = CeilingState()
    events: list[CeilingEvent] = []
    for i in range(600):
        step = ceiling_check(t[i : i + 1], bpm[i : i + 1], 120, state)
        events.extend(step.events)
        state = step.state

    assert [(e.kind, e.t) for e in events] == [(e.kind, e.t) for e in whole.events]
    assert [e.time_above_s for e in events] == pytest.approx([e.time_above_s for e in whole.events])
    assert state.time_above_s == pytest.approx(whole.state.time_above_s)
    assert state.peak_over_bpm == pytest.approx(whole.state.peak_over_bpm)
    assert whole.state.crossings > 3
