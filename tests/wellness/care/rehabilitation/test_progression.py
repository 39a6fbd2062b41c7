"""The progression rule (issue 22, point 2): advance exactly when the last N sessions of the phase
ended with pain and RPE at or under the limits, at the boundaries."""

from __future__ import annotations

import pytest

from wellness.care.rehabilitation.plan import ProgressionRule
from wellness.care.rehabilitation.progression import SessionOutcome, should_advance

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
