"""Demo worlds for ``manage.py seed_demo``: routes generated here as parametric curves, written as
GPX and created through the same import path as uploads. Idempotent."""

from __future__ import annotations

import math
from dataclasses import dataclass

from worlds import services
from worlds.gpx import gpx_write
from worlds.models import Journey, World

METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180


def _offset(lat0: float, lon0: float, north_m: float, east_m: float) -> tuple[float, float]:
    lat = lat0 + north_m / METRES_PER_DEGREE
    return lat, lon0 + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))


def lake_loop(points: int = 240) -> list[tuple[float, float, float | None]]:
    """An ellipse 2.4 x 1.5 km around a lake, rolling gently 4 m above the water."""
    out: list[tuple[float, float, float | None]] = []
    for i in range(points + 1):
        a = 2 * math.pi * i / points
        lat, lon = _offset(45.75, 14.36, 750 * math.sin(a), 1_200 * math.cos(a))
        out.append((lat, lon, 550 + 4 * math.sin(3 * a) + 2 * math.sin(7 * a)))
    return out


def mountain_ascent(points: int = 400) -> list[tuple[float, float, float | None]]:
    """Switchbacks up a slope: 8 zig-zags climbing 600 m, steepening towards the summit."""
    out: list[tuple[float, float, float | None]] = []
    for i in range(points + 1):
        f = i / points
        east = 300 * math.sin(8 * math.pi * f)
        lat, lon = _offset(46.43, 13.76, 3_000 * f, east)
        out.append((lat, lon, 800 + 600 * f**1.3))
    return out


def coast_path(points: int = 300) -> list[tuple[float, float, float | None]]:
    """A wandering cliff path 6 km along a coast, up and down over headlands."""
    out: list[tuple[float, float, float | None]] = []
    for i in range(points + 1):
        f = i / points
        lat, lon = _offset(45.28, 13.72, 400 * math.sin(5 * math.pi * f), 6_000 * f)
        out.append((lat, lon, 20 + 35 * abs(math.sin(4 * math.pi * f))))
    return out


@dataclass(frozen=True)
class DemoWorld:
    name: str
    biome: str
    scenery: str
    laps: int
    points: list[tuple[float, float, float | None]]
    landmarks: list[dict[str, object]]


DEMO_WORLDS = (
    DemoWorld(
        "Lakeside Loop",
        "lake",
        "Reed beds and birch woods around a still lake; herons fish at dawn.",
        3,
        lake_loop(),
        [
            {
                "name": "Boathouse",
                "distance_m": 400,
                "story": "Rowers have launched here since 1911.",
            },
            {
                "name": "Heron Point",
                "distance_m": 2_600,
                "story": "Stand still and count the herons.",
            },
            {
                "name": "Old Mill",
                "distance_m": 5_200,
                "story": "Its wheel ground flour until 1950.",
            },
        ],
    ),
    DemoWorld(
        "Summit Switchbacks",
        "mountain",
        "A larch forest gives way to scree and a wide view over the valley.",
        1,
        mountain_ascent(),
        [
            {
                "name": "Larch Gate",
                "distance_m": 1_500,
                "story": "The last trees before the scree.",
            },
            {"name": "Marmot Meadow", "distance_m": 4_000, "story": "Listen for their whistles."},
            {
                "name": "Summit Hut",
                "distance_m": 5_800,
                "story": "Tea, a logbook, and clouds below.",
            },
        ],
    ),
    DemoWorld(
        "Cliff Coast Path",
        "coast",
        "Salt wind, gulls and three headlands over a turquoise sea.",
        1,
        coast_path(),
        [
            {"name": "Lighthouse", "distance_m": 2_000, "story": "Lit every night since 1872."},
            {
                "name": "Smugglers' Cove",
                "distance_m": 5_500,
                "story": "A beach reachable only on foot.",
            },
        ],
    ),
)


def seed() -> list[str]:
    lines = []
    ids = []
    for spec in DEMO_WORLDS:
        world = World.objects.filter(owner__isnull=True, name=spec.name).first()
        if world is None:
            world = services.world_create_from_gpx(
                owner=None,
                name=spec.name,
                gpx=gpx_write(spec.points, name=spec.name),
                biome=spec.biome,
                scenery=spec.scenery,
                laps=spec.laps,
                landmarks=spec.landmarks,
            )
            lines.append(f"created world {spec.name!r} ({world.route.distance_m / 1000:.1f} km)")
        ids.append(world.pk)
    if not Journey.objects.filter(name="Lake to Summit to Sea").exists():
        services.journey_create(
            name="Lake to Summit to Sea",
            description="A three-stage journey any workout advances: yoga counts too.",
            world_ids=ids,
        )
        lines.append("created journey 'Lake to Summit to Sea'")
    return lines
