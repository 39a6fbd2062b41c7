"""What features add to a score: registries filled from ``AppConfig.ready``, so scoring imports none.

* Mindful minutes: a class of a sport other than yoga (a HIIT class's breathing segments) knows
  better than the engine how many of its minutes were mindful; its figure replaces the engine's.
* Score view parts: the score of a workout taken in a class also shows the class's own metrics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class MindfulMinutes(Protocol):
    def __call__(self, *, workout_ids: Sequence[int]) -> dict[int, float]: ...


class ScoreViewPart(Protocol):
    """Keys to add to a workout's score view (``"explanations"`` merged with the score's), or None."""

    def __call__(self, *, workout_id: int) -> Mapping[str, object] | None: ...


_mindful: dict[str, MindfulMinutes] = {}
_view_parts: dict[str, ScoreViewPart] = {}


def register_mindful_minutes(name: str, source: MindfulMinutes) -> None:
    """``source(workout_ids=[...])`` returns mindful minutes by workout id for those it knows."""
    _mindful[name] = source


def register_score_view_part(name: str, part: ScoreViewPart) -> None:
    """``part(workout_id=...)`` returns keys to add to the workout's score view, or None."""
    _view_parts[name] = part


def mindful_minutes(*, workout_ids: Sequence[int]) -> dict[int, float]:
    """Every registered source's mindful minutes, later registrations winning."""
    minutes: dict[int, float] = {}
    if workout_ids:
        for source in _mindful.values():
            minutes.update(source(workout_ids=workout_ids))
    return minutes


def score_view_parts(*, workout_id: int) -> list[Mapping[str, object]]:
    """The registered parts that apply to this workout, in registration order."""
    return [
        part for view_part in _view_parts.values() if (part := view_part(workout_id=workout_id))
    ]
