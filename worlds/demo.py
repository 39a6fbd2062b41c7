"""Demo worlds for ``manage.py seed_demo``: routes generated here as parametric curves, written as
GPX and created through the same import path as uploads. Idempotent."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from django.utils.text import slugify

from devices.bridge.journal import Journal
from wellness.core.errors import NotFound
from wellness.people.models import TokenScope, User
from wellness.people.selectors import access_tokens_for
from wellness.people.services import access_token_create, access_token_revoke
from wellness.workouts.services import workout_start
from worlds import services
from worlds.gpx import gpx_write
from worlds.models import AvatarSession, Journey, SessionStatus, World

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


# --- The simulated athlete of `make run` ---------------------------------------------------------
DEMO_ATHLETE_EMAIL = "ada@demo.wellverse.test"
DEMO_TOKEN_NAME = "demo simulator"  # noqa: S105 a label, not a secret


def demo_world_find(key: str) -> World:
    """A demo world by id, name or slug of its name (``lakeside-loop``)."""
    worlds = World.objects.filter(owner__isnull=True).order_by("id")
    for world in worlds:
        if key in (str(world.pk), world.name, slugify(world.name)):
            return world
    names = ", ".join(slugify(w.name) for w in worlds) or "none; run seed_demo first"
    raise NotFound(f"No demo world {key!r}; the demo worlds are: {names}.")


def demo_athlete_prepare(*, world_key: str, journal_path: str) -> dict[str, object]:
    """Get Ada ready to stream into a demo world: a fresh ingest token (tokens are stored hashed,
    so an old one cannot be shown again; earlier demo tokens are revoked), a live workout that
    the bridge journal at ``journal_path`` will resume by its client_id, and her avatar's session
    in the world for that workout."""
    user = User.objects.get(email=DEMO_ATHLETE_EMAIL)
    world = demo_world_find(world_key)
    for old in access_tokens_for(user=user).filter(name=DEMO_TOKEN_NAME, revoked_at__isnull=True):
        access_token_revoke(user=user, token_id=old.pk)
    _, secret = access_token_create(user=user, name=DEMO_TOKEN_NAME, scope=TokenScope.INGEST)
    journal = Journal(journal_path)
    try:
        # An unfinished run (the simulator was stopped) is resumed, otherwise a new one begins.
        session = journal.session_open(sport="run", indoor=False, started_at=time.time())
    finally:
        journal.close()
    workout = workout_start(
        user=user,
        sport=session.sport,
        indoor=session.indoor,
        started_at=dt.datetime.fromtimestamp(session.started_at, tz=dt.UTC),
        client_id=session.client_id,
    )
    # The previous runs are over: their avatars leave the world.
    for ended in AvatarSession.objects.filter(user=user, status=SessionStatus.ACTIVE).exclude(
        workout_id=workout.pk
    ):
        services.session_finish(user=user, session_id=ended.pk)
    avatar = AvatarSession.objects.filter(
        workout_id=workout.pk, status=SessionStatus.ACTIVE
    ).first()
    if avatar is None:
        avatar = services.session_start(
            user=user, world_id=world.pk, workout_id=workout.pk, sport="run"
        )
    return {
        "WELLVERSE_TOKEN": secret,
        "DEMO_WORLD_ID": world.pk,
        "DEMO_WORKOUT_ID": workout.pk,
        "DEMO_SESSION_ID": avatar.pk,
    }
