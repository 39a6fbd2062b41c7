"""Fitness, fatigue and form (CTL/ATL/TSB) from daily training load."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from wellness.scoring.rules import ATL_DAYS, CTL_DAYS


@dataclass(frozen=True)
class FitnessSeries:
    fitness: tuple[float, ...]  # CTL: 42-day exponentially weighted load
    fatigue: tuple[float, ...]  # ATL: 7-day exponentially weighted load
    form: tuple[float, ...]  # TSB: yesterday's fitness minus yesterday's fatigue


def fitness_fatigue_form(
    daily_load: Sequence[float], *, fitness_start: float = 0.0, fatigue_start: float = 0.0
) -> FitnessSeries:
    """CTL/ATL/TSB from one training-load total per consecutive day (rest days as 0)."""
    fitness, fatigue, form = [], [], []
    ctl, atl = fitness_start, fatigue_start
    for load in daily_load:
        if not math.isfinite(load) or load < 0:
            raise ValueError("daily load must be finite and not negative")
        form.append(ctl - atl)
        ctl += (load - ctl) / CTL_DAYS
        atl += (load - atl) / ATL_DAYS
        fitness.append(ctl)
        fatigue.append(atl)
    return FitnessSeries(tuple(fitness), tuple(fatigue), tuple(form))
