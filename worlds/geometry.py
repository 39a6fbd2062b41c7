"""Route geometry, free of Django: distances, smoothed elevation, gradient, position along a route.

A route is an ordered list of (lat, lon, elevation-or-None) points. Everything here works on
plain floats and NumPy arrays so it is fast and trivially testable.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
# Elevation from GPS or DEMs is noisy metre to metre; gradients over less than this are not shown.
ELEVATION_SMOOTHING_M = 60.0
MAX_GRADIENT = 0.45  # steeper than any road or trail an avatar travels; clamps noisy spikes


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cumulative_distance_m(lats: Sequence[float], lons: Sequence[float]) -> np.ndarray:
    """Distance along the polyline at each point, starting at 0 (vectorised haversine)."""
    lat = np.radians(np.asarray(lats, dtype=float))
    lon = np.radians(np.asarray(lons, dtype=float))
    if lat.size == 0:
        return np.zeros(0)
    dlat, dlon = np.diff(lat), np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    steps = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return np.concatenate([[0.0], np.cumsum(steps)])


def smoothed_elevation(
    distance_m: np.ndarray, elevation_m: np.ndarray, window_m: float = ELEVATION_SMOOTHING_M
) -> np.ndarray:
    """Mean elevation within ``window_m`` centred on each point (by distance, not by point count,
    so densely and sparsely sampled stretches are smoothed alike)."""
    d = np.asarray(distance_m, dtype=float)
    e = np.asarray(elevation_m, dtype=float)
    if d.size < 3:
        return e.copy()
    lo = np.searchsorted(d, d - window_m / 2, side="left")
    hi = np.searchsorted(d, d + window_m / 2, side="right")
    csum = np.concatenate([[0.0], np.cumsum(e)])
    means: np.ndarray = (csum[hi] - csum[lo]) / (hi - lo)
    return means


def gradients(distance_m: np.ndarray, elevation_m: np.ndarray) -> np.ndarray:
    """Gradient (rise over run, 0.05 = 5 %) at each point: central differences, clamped."""
    d = np.asarray(distance_m, dtype=float)
    e = np.asarray(elevation_m, dtype=float)
    if d.size < 2:
        return np.zeros(d.size)
    # Callers pass strictly increasing distances (route_build drops repeated points).
    g = np.gradient(e, d)
    clamped: np.ndarray = np.clip(
        np.nan_to_num(g, nan=0.0, posinf=0.0, neginf=0.0), -MAX_GRADIENT, MAX_GRADIENT
    )
    return clamped


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    distance_m: float  # along the route, within one lap
    elevation_m: float
    gradient: float


@dataclass(frozen=True)
class RouteGeometry:
    lat: tuple[float, ...]
    lon: tuple[float, ...]
    distance_m: tuple[float, ...]
    elevation_m: tuple[float, ...]
    gradient: tuple[float, ...]
    has_elevation: bool

    @property
    def length_m(self) -> float:
        return self.distance_m[-1] if self.distance_m else 0.0

    @property
    def elevation_gain_m(self) -> float:
        steps = np.diff(np.asarray(self.elevation_m))
        return float(steps[steps > 0].sum())

    def position_at(self, distance_m: float) -> Position:
        """Where an avatar ``distance_m`` along one lap is (clamped to the route's ends)."""
        d = min(max(distance_m, 0.0), self.length_m)
        i = bisect.bisect_right(self.distance_m, d) - 1
        i = min(max(i, 0), len(self.distance_m) - 2)
        span = self.distance_m[i + 1] - self.distance_m[i]
        f = (d - self.distance_m[i]) / span if span > 0 else 0.0

        def lerp(values: tuple[float, ...]) -> float:
            return values[i] + (values[i + 1] - values[i]) * f

        return Position(
            lat=lerp(self.lat),
            lon=lerp(self.lon),
            distance_m=d,
            elevation_m=lerp(self.elevation_m),
            gradient=lerp(self.gradient),
        )

    def compact(self, decimals: int = 6) -> list[list[float]]:
        """``[lat, lon, distance_m, elevation_m, gradient]`` per point, rounded for the wire."""
        return [
            [
                round(la, decimals),
                round(lo, decimals),
                round(d, 1),
                round(e, 1),
                round(g, 4),
            ]
            for la, lo, d, e, g in zip(
                self.lat, self.lon, self.distance_m, self.elevation_m, self.gradient, strict=True
            )
        ]

    def elevation_profile(self, until_m: float | None = None) -> list[list[float]]:
        """``[distance_m, elevation_m]`` pairs, up to ``until_m`` if given (for postcards)."""
        return [
            [round(d, 1), round(e, 1)]
            for d, e in zip(self.distance_m, self.elevation_m, strict=True)
            if until_m is None or d <= until_m
        ]

    @classmethod
    def from_compact(cls, rows: Sequence[Sequence[float]], has_elevation: bool) -> RouteGeometry:
        cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
        return cls(
            lat=tuple(cols[0]),
            lon=tuple(cols[1]),
            distance_m=tuple(cols[2]),
            elevation_m=tuple(cols[3]),
            gradient=tuple(cols[4]),
            has_elevation=has_elevation,
        )


class RouteTooShort(ValueError):
    """Fewer than two distinct points: there is nowhere to go."""


def route_build(points: Sequence[tuple[float, float, float | None]]) -> RouteGeometry:
    """Geometry of a route from (lat, lon, elevation or None) points.

    Without any elevation the profile is flat at 0 m; with some points missing it, their
    elevation is interpolated from their neighbours along the route.
    """
    if len(points) < 2:
        raise RouteTooShort(f"a route needs at least two points; this one has {len(points)}")
    d_all = cumulative_distance_m([p[0] for p in points], [p[1] for p in points])
    # A paused GPS repeats its position; repeated points add nothing and break gradients.
    keep = np.concatenate([[True], np.diff(d_all) > 0])
    points = [p for p, k in zip(points, keep, strict=True) if k]
    if len(points) < 2:
        raise RouteTooShort("all points of this route are at the same place")
    lat = [p[0] for p in points]
    lon = [p[1] for p in points]
    d = d_all[keep]
    known = np.array([p[2] is not None for p in points])
    has_elevation = bool(known.any())
    if has_elevation:
        raw = np.array([p[2] if p[2] is not None else np.nan for p in points], dtype=float)
        elevation = np.interp(d, d[known], raw[known])
        elevation = smoothed_elevation(d, elevation)
    else:
        elevation = np.zeros(d.size)
    grade = gradients(d, elevation)
    return RouteGeometry(
        lat=tuple(float(x) for x in lat),
        lon=tuple(float(x) for x in lon),
        distance_m=tuple(float(x) for x in d),
        elevation_m=tuple(float(x) for x in elevation),
        gradient=tuple(float(x) for x in grade),
        has_elevation=has_elevation,
    )
