"""Reads for worlds: what a person may see, route geometry, live avatar state, journeys."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from django.db.models import Q, QuerySet

from wellness.core.errors import NotFound
from wellness.people.models import Profile, User
from wellness.people.selectors import public_name
from worlds import movement
from worlds.geometry import RouteGeometry
from worlds.models import (
    AvatarSession,
    GroupRun,
    Journey,
    JourneyProgress,
    Postcard,
    Route,
    SessionStatus,
    World,
    WorldVisibility,
)


def worlds_visible_to(*, user: User) -> QuerySet[World]:
    """Public worlds, the person's own, and private worlds they were invited to."""
    return (
        World.objects.filter(
            Q(visibility=WorldVisibility.PUBLIC) | Q(owner=user) | Q(invitees=user)
        )
        .distinct()
        .select_related("route")
        .order_by("name", "id")
    )


def world_for(*, user: User, world_id: int) -> World:
    world = worlds_visible_to(user=user).filter(pk=world_id).first()
    if world is None:
        raise NotFound("No such world.")
    return world


def world_owned_by(*, user: User, world_id: int) -> World:
    world = World.objects.filter(pk=world_id, owner=user).first()
    if world is None:
        raise NotFound("No such world.")
    return world


def world_can_spectate(*, user: User, world_id: int) -> bool:
    return worlds_visible_to(user=user).filter(pk=world_id).exists()


def route_geometry(route: Route) -> RouteGeometry:
    return RouteGeometry.from_compact(route.points, route.has_elevation)


def world_course(world: World) -> tuple[movement.Course, RouteGeometry]:
    geometry = route_geometry(world.route)
    course = movement.Course(
        lap_length_m=geometry.length_m,
        laps=world.laps,
        landmarks=tuple(
            movement.Landmark(id=m.pk, name=m.name, distance_m=m.distance_m)
            for m in world.landmarks.all()
        ),
        gradient_at=lambda d: geometry.position_at(d).gradient,
    )
    return course, geometry


class AvatarView(TypedDict):
    """One avatar as spectators see it; a tick adds what moved it."""

    id: int
    name: str
    sport: str
    d: float  # metres along the course
    lap: int
    lat: float
    lon: float
    ele: float
    grade: float
    v: float  # metres per second at ``t``
    t: float | None  # the time of the last sample applied (UNIX seconds)
    finished: bool
    grade_applied: NotRequired[float]
    events: NotRequired[list[dict[str, Any]]]
    hidden: NotRequired[bool]


class GroupRunResult(TypedDict):
    position: int | None  # None while still out there
    name: str
    finish_time_s: float | None
    distance_m: float


def avatar_view(
    session: AvatarSession, profile: Profile, geometry: RouteGeometry, lap_length_m: float
) -> AvatarView:
    """What spectators see of one avatar, with interpolation hints (``d``, ``v``, ``t``).

    Clients extrapolate ``d + v x (now - t)`` along the route geometry until the next tick.
    """
    finished = session.status == SessionStatus.FINISHED
    lap_index = int(session.distance_m // lap_length_m) if lap_length_m > 0 else 0
    on_lap = session.distance_m - lap_index * lap_length_m
    if finished or session.distance_m >= lap_length_m * session.world.laps:
        on_lap, lap_index = lap_length_m, session.world.laps - 1
    where = geometry.position_at(on_lap)
    return {
        "id": session.pk,
        "name": public_name(profile),
        "sport": session.sport,
        "d": round(session.distance_m, 1),
        "lap": lap_index + 1,
        "lat": round(where.lat, 6),
        "lon": round(where.lon, 6),
        "ele": round(where.elevation_m, 1),
        "grade": round(session.gradient, 4),
        "v": round(session.speed_mps, 2),
        "t": session.last_t,
        "finished": finished,
    }


def world_live_avatars(*, world_id: int) -> list[AvatarView]:
    """Every avatar now in the world that its person lets others see."""
    world = World.objects.select_related("route").filter(pk=world_id).first()
    if world is None:
        return []
    geometry = route_geometry(world.route)
    sessions = (
        AvatarSession.objects.filter(world_id=world_id, status=SessionStatus.ACTIVE)
        .filter(user__profile__show_in_live_worlds=True)
        .select_related("user__profile", "world")
        .order_by("id")
    )
    return [avatar_view(s, s.user.profile, geometry, geometry.length_m) for s in sessions]


def world_active_workouts(*, world_id: int) -> dict[int, tuple[int, int]]:
    """``workout_id -> (session_id, user_id)`` for the live sessions in a world (what a ticker
    listens to, and whose batches it may apply)."""
    return {
        workout_id: (session_id, user_id)
        for workout_id, session_id, user_id in AvatarSession.objects.filter(
            world_id=world_id, status=SessionStatus.ACTIVE
        ).values_list("workout_id", "id", "user_id")
    }


def sessions_for(*, user: User) -> QuerySet[AvatarSession]:
    return AvatarSession.objects.filter(user=user).select_related("world").order_by("-id")


def session_for(*, user: User, session_id: int) -> AvatarSession:
    session = sessions_for(user=user).filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    return session


def group_runs_visible_to(*, user: User) -> QuerySet[GroupRun]:
    visible = worlds_visible_to(user=user).values("pk")
    return GroupRun.objects.filter(world__in=visible).order_by("starts_at", "id")


def group_run_for(*, user: User, group_run_id: int) -> GroupRun:
    run = group_runs_visible_to(user=user).filter(pk=group_run_id).first()
    if run is None:
        raise NotFound("No such group run.")
    return run


def group_run_results(*, group_run: GroupRun) -> list[GroupRunResult]:
    """Finishers by time, then those still out there by distance; names as others may see them."""
    sessions = list(group_run.sessions.select_related("user__profile"))
    finishers = sorted(
        (s for s in sessions if s.finish_time_s is not None), key=lambda s: s.finish_time_s or 0
    )
    others = sorted((s for s in sessions if s.finish_time_s is None), key=lambda s: -s.distance_m)
    return [
        {
            "position": i + 1 if s.finish_time_s is not None else None,
            "name": public_name(s.user.profile),
            "finish_time_s": s.finish_time_s,
            "distance_m": round(s.distance_m, 1),
        }
        for i, s in enumerate([*finishers, *others])
    ]


def journeys_all() -> QuerySet[Journey]:
    return Journey.objects.prefetch_related("stages__world__route").order_by("name", "id")


def journey_get(*, journey_id: int) -> Journey:
    journey = journeys_all().filter(pk=journey_id).first()
    if journey is None:
        raise NotFound("No such journey.")
    return journey


def journey_progress_for(*, user: User) -> QuerySet[JourneyProgress]:
    return JourneyProgress.objects.filter(user=user).select_related("journey").order_by("id")


def journey_progress_get(*, user: User, progress_id: int) -> JourneyProgress:
    progress = journey_progress_for(user=user).filter(pk=progress_id).first()
    if progress is None:
        raise NotFound("No such journey progress.")
    return progress


def postcards_for(*, user: User) -> QuerySet[Postcard]:
    return (
        Postcard.objects.filter(progress__user=user)
        .select_related("landmark", "progress__journey")
        .order_by("progress_id", "journey_distance_m", "id")
    )


def postcard_for(*, user: User, postcard_id: int) -> Postcard:
    postcard = postcards_for(user=user).filter(pk=postcard_id).first()
    if postcard is None:
        raise NotFound("No such postcard.")
    return postcard


def journey_layout(journey: Journey) -> tuple[float, list[tuple[float, Any]], list[list[float]]]:
    """The journey end to end: total length, ``(journey distance, landmark)`` pairs and the
    ``[distance_m, elevation_m]`` profile of all stages joined (stages count one lap each)."""
    offset = 0.0
    landmarks: list[tuple[float, Any]] = []
    profile: list[list[float]] = []
    for stage in journey.stages.select_related("world__route").order_by("order"):
        geometry = route_geometry(stage.world.route)
        landmarks.extend((offset + m.distance_m, m) for m in stage.world.landmarks.all())
        profile.extend([offset + d, e] for d, e in geometry.elevation_profile())
        offset += geometry.length_m
    return offset, landmarks, profile


def worlds_with_live_sessions() -> list[int]:
    return list(
        AvatarSession.objects.filter(status=SessionStatus.ACTIVE)
        .values_list("world_id", flat=True)
        .distinct()
    )
