"""The progression rule's evaluator: when a program advances to its next phase. No Django imports.

A session *ends well* when it was completed (not stopped by the pain rule, not abandoned), and
the highest pain and the highest RPE logged in it are at or under the rule's limits (the highest,
not the last: a session that hurt half-way did not end well). A session with no pain or no RPE
logged says nothing, so it does not end well either. The program advances exactly when the last
``consecutive_sessions`` sessions of the current phase all ended well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wellness.care.rehabilitation.plan import ProgressionRule


@dataclass(frozen=True)
class SessionOutcome:
    completed: bool
    peak_pain: int | None
    peak_rpe: int | None


def ended_well(rule: ProgressionRule, outcome: SessionOutcome) -> bool:
    return (
        outcome.completed
        and outcome.peak_pain is not None
        and outcome.peak_rpe is not None
        and outcome.peak_pain <= rule.max_pain
        and outcome.peak_rpe <= rule.max_rpe
    )


def should_advance(rule: ProgressionRule, outcomes: Sequence[SessionOutcome]) -> bool:
    """``outcomes``: the sessions of the current phase, oldest first."""
    recent = outcomes[-rule.consecutive_sessions :]
    return len(recent) == rule.consecutive_sessions and all(ended_well(rule, o) for o in recent)
