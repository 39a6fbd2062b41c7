"""The progression rule (issue 22, point 2): advance exactly when the last N sessions of the phase
ended with pain and RPE at or under the limits, at the boundaries; and the adherence arithmetic."""

from __future__ import annotations

import pytest

from wellness.care.rehabilitation.plan import ExerciseTarget, ProgressionRule
from wellness.care.rehabilitation.progression import SessionOutcome, should_advance
from wellness.care.rehabilitation.summary import (
    Logged,
    missed_in_a_row,
    planned_by,
    planned_total,
    session_adherence,
)

RULE = ProgressionRule(consecutive_sessions=2, max_pain=3, max_rpe=4)


def _s(pain: int | None, rpe: int | None, completed: bool = True) -> SessionOutcome:
    return SessionOutcome(completed=completed, peak_pain=pain, peak_rpe=rpe)


def test_two_sessions_exactly_at_the_limits_advance() -> None:
    assert should_advance(RULE, [_s(3, 4), _s(3, 4)])


@pytest.mark.parametrize(
    "outcomes",
    [
        [_s(3, 4)],  # only one session yet
        [],
        [_s(4, 4), _s(3, 4)],  # pain one over in the first
        [_s(3, 4), _s(3, 5)],  # RPE one over in the last
        [_s(3, 4), _s(2, 3, completed=False)],  # the last was stopped
        [_s(3, 4), _s(None, 3)],  # no pain logged
        [_s(3, 4), _s(2, None)],  # no RPE logged
        [_s(1, 1), _s(5, 6), _s(2, 2)],  # a bad session breaks the run
    ],
)
def test_anything_short_of_the_rule_does_not_advance(outcomes: list[SessionOutcome]) -> None:
    assert not should_advance(RULE, outcomes)


def test_only_the_last_sessions_count() -> None:
    assert should_advance(RULE, [_s(8, 9), _s(5, 6), _s(0, 2), _s(1, 3)])


def test_a_rule_of_three_needs_three() -> None:
    rule = ProgressionRule(consecutive_sessions=3, max_pain=2, max_rpe=3)

    assert not should_advance(rule, [_s(2, 3), _s(2, 3)])
    assert should_advance(rule, [_s(2, 3), _s(2, 3), _s(0, 0)])


# --- Adherence arithmetic (summary) -----------------------------------------------------------
def test_a_session_counts_the_share_of_its_planned_work_done() -> None:
    reps = ExerciseTarget(1, None, sets=2, reps=10, hold_s=None, duration_s=None, rest_s=0)
    timed = ExerciseTarget(2, None, sets=1, reps=None, hold_s=None, duration_s=60, rest_s=0)
    extra = Logged(sets_done=3, reps_done=20, pain=0, rpe=0)

    assert session_adherence([reps, timed], {}) == 0.0
    assert session_adherence([reps, timed], {0: Logged(1, 10, 0, 0)}) == 0.25
    # Doing more than planned of one exercise does not make up for a skipped one.
    assert session_adherence([reps, timed], {0: extra}) == 0.5
    assert session_adherence([reps, timed], {0: extra, 1: Logged(1, None, 0, 0)}) == 1.0


def test_sessions_planned_by_a_date_follow_the_phases_by_the_calendar() -> None:
    phases = [(2, 3), (1, 5)]

    assert planned_total(phases) == 11
    assert planned_by(phases, 0) == 0
    assert planned_by(phases, 7) == 3
    assert planned_by(phases, 14) == 6
    assert planned_by(phases, 14 + 7 * 2 / 5) == 8
    assert planned_by(phases, 400) == 11


def test_two_missed_sessions_at_three_a_week_take_four_and_two_thirds_days() -> None:
    assert missed_in_a_row(4.6, 3) == 1
    assert missed_in_a_row(14 / 3, 3) == 2
    assert missed_in_a_row(0, 3) == 0
