"""A session's summary and a program's adherence, from plain values. No Django imports.

An exercise's share done is sets done over sets planned, times reps done over reps planned when
it has a reps target (each capped at 1: doing more than planned does not make up for a skipped
exercise); an exercise not logged is 0. A session's adherence is the mean over its exercises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wellness.care.rehabilitation.plan import ExerciseTarget


@dataclass(frozen=True)
class Logged:
    sets_done: int
    reps_done: int | None
    pain: int
    rpe: int


def exercise_done(target: ExerciseTarget, logged: Logged | None) -> float:
    if logged is None:
        return 0.0
    done = min(1.0, logged.sets_done / target.sets)
    if target.reps is not None:
        done *= min(1.0, (logged.reps_done or 0) / target.reps)
    return done


def session_adherence(
    targets: Sequence[ExerciseTarget], logs_by_position: Mapping[int, Logged]
) -> float:
    """The share of the session's planned work done, 0 to 1."""
    if not targets:
        return 0.0
    return sum(exercise_done(t, logs_by_position.get(i)) for i, t in enumerate(targets)) / len(
        targets
    )


def peaks(logs: Sequence[Logged]) -> tuple[int | None, int | None]:
    """The highest pain and RPE logged (None when nothing was logged)."""
    if not logs:
        return None, None
    return max(log.pain for log in logs), max(log.rpe for log in logs)


# --- Adherence over time ---------------------------------------------------------------------------
def planned_total(phases: Sequence[tuple[int, int]]) -> int:
    """Sessions the whole program plans; ``phases``: (weeks, sessions per week) in order."""
    return sum(weeks * per_week for weeks, per_week in phases)


def planned_by(phases: Sequence[tuple[int, int]], elapsed_days: float) -> int:
    """Sessions planned from the program's start until ``elapsed_days`` later, by the calendar:
    each phase's weeks in turn, pro rata within a week (rounded down), never beyond the total."""
    planned, days_left = 0.0, max(0.0, elapsed_days)
    for weeks, per_week in phases:
        in_phase = min(days_left, weeks * 7.0)
        planned += in_phase * per_week / 7.0
        days_left -= in_phase
        if days_left <= 0:
            break
    return int(planned + 1e-9)


def missed_in_a_row(days_since_last: float, sessions_per_week: int) -> int:
    """Sessions due since the last one done (or since the program began), at the planned rate:
    three a week means one due every 2.33 days, so 4.67 days without a session is two missed."""
    return int(max(0.0, days_since_last) * sessions_per_week / 7.0 + 1e-9)
