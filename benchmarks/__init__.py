"""Benchmarks: each figure measured beside its naive baseline in the same run.

``python -m benchmarks [NAME ...] [--quick] [--json] [--list]``. A benchmark is a module
``benchmarks/<name>.py`` defining ``DESCRIPTION: str`` and ``run(quick: bool) -> list[Figure]``;
it is discovered by its file name. ``--quick`` must finish within a minute in total.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    benchmark: str
    figure: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    goal: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def figure(
    benchmark: str,
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None,
    goal: str,
    higher_is_better: bool,
) -> Figure:
    """A figure with its ratio against the baseline, oriented so that a ratio above 1 is better."""
    ratio = None
    if baseline:
        ratio = value / baseline if higher_is_better else baseline / value if value else None
    return Figure(benchmark, name, value, unit, baseline, ratio, goal)


def median_seconds(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
