"""The goal registry: what a scored workout adds to a challenge. Django-free.

Each goal type is one class with a ``code``, its display unit and ``scale`` (base units per display
unit) and ``amount(workout)`` in base units (an integer, so progress sums exactly). Parameters are
JSON on the challenge and validated by the class; unknown parameters are refused.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, TypedDict

from wellness.scoring.handoff import ScoredWorkout


class GoalParamsError(ValueError):
    pass


class Goal(ABC):
    code: ClassVar[str]
    title: ClassVar[str]
    unit: ClassVar[str]
    scale: ClassVar[int] = 1
    once_per_day: ClassVar[bool] = False  # at most one unit per local day (streak-style goals)
    defaults: ClassVar[dict[str, float]] = {}
    labels: ClassVar[dict[str, str]] = {}  # a form label per parameter (the web UI shows them)

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = self.validate(params or {})

    @classmethod
    def validate(cls, params: Mapping[str, Any]) -> dict[str, float]:
        if not isinstance(params, Mapping):
            raise GoalParamsError("Goal parameters must be a JSON object.")
        unknown = sorted(set(params) - set(cls.defaults))
        if unknown:
            allowed = ", ".join(sorted(cls.defaults)) or "none"
            raise GoalParamsError(f"Unknown parameter(s) {', '.join(unknown)}; allowed: {allowed}.")
        clean = dict(cls.defaults)
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise GoalParamsError(f"Parameter {key} must be a number of at least 0.")
            clean[key] = float(value)
        return clean

    @abstractmethod
    def amount(self, workout: ScoredWorkout) -> int:
        """What this workout adds, in base units (before the once-per-day rule)."""


_registry: dict[str, type[Goal]] = {}


def register(cls: type[Goal]) -> type[Goal]:
    _registry[cls.code] = cls
    return cls


def goal_types() -> dict[str, type[Goal]]:
    return dict(_registry)


class GoalParamDescription(TypedDict):
    name: str
    label: str
    default: float
    minimum: float


class GoalTypeDescription(TypedDict):
    code: str
    title: str
    unit: str
    once_per_day: bool
    params: list[GoalParamDescription]


def goal_types_described() -> list[GoalTypeDescription]:
    """Every goal type with its unit and parameters, as a form needs them to offer the choice."""
    return [
        GoalTypeDescription(
            code=cls.code,
            title=cls.title,
            unit=cls.unit,
            once_per_day=cls.once_per_day,
            params=[
                GoalParamDescription(
                    name=name, label=cls.labels.get(name, name), default=default, minimum=0
                )
                for name, default in cls.defaults.items()
            ],
        )
        for cls in _registry.values()
    ]


def goal_for(code: str, params: Mapping[str, Any] | None = None) -> Goal:
    try:
        cls = _registry[code]
    except KeyError:
        raise GoalParamsError(
            f"Unknown goal type {code!r}; choose one of {', '.join(sorted(_registry))}."
        ) from None
    return cls(params)


@register
class DistanceGoal(Goal):
    code, title, unit, scale = "distance", "Distance", "km", 1000

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.distance_m)


@register
class ActiveMinutesGoal(Goal):
    code, title, unit, scale = "active_minutes", "Active minutes", "min", 60

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.active_minutes * 60)


@register
class ZoneMinutesGoal(Goal):
    code, title, unit, scale = "zone3_minutes", "Minutes in heart-rate zone 3+", "min", 60

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.zone3_plus_minutes * 60)


@register
class MindfulMinutesGoal(Goal):
    code, title, unit, scale = "mindful_minutes", "Yoga and mindful minutes", "min", 60

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.mindful_minutes * 60)


@register
class TrainingLoadGoal(Goal):
    code, title, unit, scale = "training_load", "Training load", "load", 100

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.training_load * 100)


@register
class PointsGoal(Goal):
    code, title, unit, scale = "points", "Points", "points", 1

    def amount(self, workout: ScoredWorkout) -> int:
        return int(workout.points)


@register
class ElevationGoal(Goal):
    code, title, unit, scale = "elevation", "Elevation gain", "m", 1

    def amount(self, workout: ScoredWorkout) -> int:
        return round(workout.elevation_gain_m)


@register
class StreakDaysGoal(Goal):
    """Days with at least ``min_active_minutes`` of activity (one per local day)."""

    code, title, unit, scale = "streak_days", "Active days", "days", 1
    once_per_day = True
    defaults = {"min_active_minutes": 10.0}
    labels = {"min_active_minutes": "Active minutes that make a day count"}

    def amount(self, workout: ScoredWorkout) -> int:
        return 1 if workout.active_minutes >= self.params["min_active_minutes"] else 0
