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
