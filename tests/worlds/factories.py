"""factory_boy factories for worlds, made the way users make them: through the GPX import service."""

from __future__ import annotations

from typing import Any

import factory

from benchmarks._routes import straight_north
from worlds import services
from worlds.gpx import gpx_write
from worlds.models import World


class WorldFactory(factory.django.DjangoModelFactory[World]):
    """``WorldFactory.create(length_m=2_000, climb_per_m=0.03)``: a straight route north."""

    class Meta:
        model = World

    class Params:
        length_m: float = 1_000
        climb_per_m: float | None = 0.0

    owner = None
    name = "Test valley"
    gpx = factory.LazyAttribute(
        lambda o: gpx_write(straight_north(o.length_m, climb_per_m=o.climb_per_m))
    )

    @classmethod
    def _create(cls, model_class: type[World], *args: Any, **kwargs: Any) -> World:
        return services.world_create_from_gpx(**kwargs)
