"""Synthetic routes for benchmarks and tests: a straight line due north, with a steady climb."""

from __future__ import annotations


def straight_north(
    length_m: float,
    *,
    step_m: float = 100.0,
    lat0: float = 46.0,
    lon0: float = 14.0,
    climb_per_m: float | None = 0.0,
) -> list[tuple[float, float, float | None]]:
    """Points due north every ``step_m``: distances are exact to ~0.1 %."""
    metres_per_degree = 6_371_008.8 * 3.141592653589793 / 180
    count = round(length_m / step_m)
    return [
        (
            lat0 + i * step_m / metres_per_degree,
            lon0,
            None if climb_per_m is None else 100.0 + climb_per_m * i * step_m,
        )
        for i in range(count + 1)
    ]
