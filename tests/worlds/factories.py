"""Worlds made the way users make them: through the GPX import service."""

from __future__ import annotations

from typing import Any

from tests.factories import WorkoutFactory
from wellness.people.models import User
from worlds import services
from worlds.gpx import gpx_write, straight_north
from worlds.models import World


def make_world(
    *,
    owner: User | None = None,
    length_m: float = 1_000,
    climb_per_m: float | None = 0.0,
    **kw: Any,
) -> World:
    kw.setdefault("name", "Test valley")
    return services.world_create_from_gpx(
        owner=owner, gpx=gpx_write(straight_north(length_m, climb_per_m=climb_per_m)), **kw
    )


def live_workout(user: User) -> int:
    """The id of a workout the person has opened (what an avatar session follows)."""
    return WorkoutFactory.create(user=user).pk
