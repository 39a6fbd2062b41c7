"""Writes for worlds: creating worlds from GPX, live avatar sessions, group runs and journeys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wellness.core.errors import (
    Conflict,
    ConsentRequired,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from wellness.core.sql import rows_update
from wellness.core.transactions import broadcast_on_commit, notify_on_commit
from wellness.people.models import Profile, User
from wellness.people.selectors import health_consent_active, profile_max_heart_rate
from wellness.scoring.handoff import ScoredWorkout
from wellness.workouts.models import Workout
from wellness.workouts.sports import AVATAR_SPORTS
from worlds import movement, selectors
from worlds.gpx import GpxRejected, gpx_route_parse
from worlds.models import (
    AvatarSession,
    Biome,
    GroupRun,
    Journey,
    JourneyAdvance,
    JourneyProgress,
    JourneyStage,
    Landmark,
    Postcard,
    Route,
    SessionEvent,
    SessionStatus,
    World,
    WorldVisibility,
)

MAX_LAPS = 100
GROUP_RUN_PEN_OPENS = dt.timedelta(minutes=15)


def world_group(world_id: int) -> str:
    """Channel-layer group every spectator ticker of this world listens on for refreshes."""
    return f"world-{world_id}"


def _landmark_specs(
    landmarks: Sequence[Mapping[str, Any]], route_length_m: float
) -> list[dict[str, Any]]:
    specs, problems = [], []
    for i, mark in enumerate(landmarks):
        name = str(mark.get("name") or "").strip()
        distance = mark.get("distance_m")
        if not name:
            problems.append(f"landmark {i + 1} needs a name")
        if not isinstance(distance, int | float) or not 0 <= distance <= route_length_m:
            problems.append(
                f"landmark {i + 1} must lie on the route, 0 to {route_length_m:.0f} m along it"
            )
        specs.append({"name": name[:80], "distance_m": distance, "story": mark.get("story") or ""})
    if problems:
        raise ValidationFailed("Some landmarks are not valid.", fields={"landmarks": problems})
    return specs


def gpx_size_check(*, size: int) -> None:
    limit = settings.WORLDS_GPX_MAX_BYTES
    if size > limit:
        raise PayloadTooLarge(f"A GPX file may be at most {limit:,} bytes; this one has {size:,}.")


def world_create_from_gpx(
    *,
    owner: User | None,
    name: str,
    gpx: str | bytes,
    biome: str = Biome.COUNTRYSIDE,
    scenery: str = "",
    visibility: str = WorldVisibility.PUBLIC,
    laps: int = 1,
    landmarks: Sequence[Mapping[str, Any]] = (),
) -> World:
    """A world whose route is the GPX file's track (or route). All or nothing."""
    gpx_size_check(size=len(gpx.encode() if isinstance(gpx, str) else gpx))
    errors: dict[str, list[str]] = {}
    if biome not in Biome.values:
        errors["biome"] = [f"Biome must be one of {', '.join(Biome.values)}."]
    if visibility not in WorldVisibility.values:
        errors["visibility"] = ["Visibility must be public or private."]
    if not isinstance(laps, int) or not 1 <= laps <= MAX_LAPS:
        errors["laps"] = [f"Laps must be a whole number from 1 to {MAX_LAPS}."]
    try:
        parsed = gpx_route_parse(gpx)
    except GpxRejected as exc:
        errors["gpx"] = [str(exc)]
    if errors:
        raise ValidationFailed(
            next(iter(errors.values()))[0] if "gpx" not in errors else errors["gpx"][0],
            fields=errors,
        )
    name = (name or "").strip() or parsed.name or "Unnamed world"
    geometry = parsed.geometry
    specs = _landmark_specs(landmarks, geometry.length_m)
    with transaction.atomic():
        world = World.objects.create(
            owner=owner,
            name=name[:80],
            biome=biome,
            scenery=scenery,
            visibility=visibility,
            laps=laps,
        )
        Route.objects.create(
            world=world,
            name=parsed.name[:120],
            distance_m=geometry.length_m,
            elevation_gain_m=geometry.elevation_gain_m,
            has_elevation=geometry.has_elevation,
            notes=list(parsed.notes),
            points=geometry.compact(),
        )
        Landmark.objects.bulk_create(Landmark(world=world, **spec) for spec in specs)
    return world


def landmark_add(
    *, owner: User, world_id: int, name: str, distance_m: float, story: str = ""
) -> Landmark:
    world = selectors.world_owned_by(user=owner, world_id=world_id)
    (spec,) = _landmark_specs(
        [{"name": name, "distance_m": distance_m, "story": story}], world.route.distance_m
    )
    return Landmark.objects.create(world=world, **spec)


def world_invite(*, owner: User, world_id: int, email: str) -> None:
    """Let the person with this address see the private world, if there is one."""
    world = selectors.world_owned_by(user=owner, world_id=world_id)
    invitee = User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()
    # The same answer whether or not the address is registered: an invitation reveals no account.
    if invitee is not None:
        world.invitees.add(invitee)


# --- Live avatar sessions ---------------------------------------------------------------------


def session_start(
    *,
    user: User,
    world_id: int,
    workout_id: int,
    sport: str,
    indoor: bool = False,
    group_run_id: int | None = None,
) -> AvatarSession:
    """Put the person's avatar at the start of a world, moved by one live workout's samples."""
    if not health_consent_active(user=user):
        raise ConsentRequired()
    world = selectors.world_for(user=user, world_id=world_id)
    errors: dict[str, list[str]] = {}
    if sport not in AVATAR_SPORTS:
        errors["sport"] = [f"Sport must be one of {', '.join(AVATAR_SPORTS)}."]
    if not isinstance(workout_id, int) or workout_id <= 0:
        errors["workout_id"] = ["Give the id of the workout you are streaming."]
    if errors:
        raise ValidationFailed("The session could not be started.", fields=errors)
    # The avatar shows the workout's live samples to spectators: it follows only a workout the
    # person has opened (the bridge, the companion and the demo open it first). An id of someone
    # else's workout, or of none yet, would let a later workout of another person move it.
    if not Workout.objects.filter(pk=workout_id, user=user).exists():
        raise NotFound("No such workout.")
    group_run = None
    if group_run_id is not None:
        group_run = selectors.group_run_for(user=user, group_run_id=group_run_id)
        if group_run.world_id != world.pk:
            raise ValidationFailed(
                "This group run is in another world.",
                fields={"group_run_id": ["This group run is in another world."]},
            )
        if not group_run.participants.filter(pk=user.pk).exists():
            raise Forbidden("Join the group run before starting in it.")
        if timezone.now() < group_run.starts_at - GROUP_RUN_PEN_OPENS:
            raise Conflict("The start pen opens 15 minutes before the group run starts.")
    try:
        with transaction.atomic():
            session = AvatarSession.objects.create(
                world=world,
                user=user,
                workout_id=workout_id,
                sport=sport,
                indoor=bool(indoor),
                group_run=group_run,
            )
    except IntegrityError:
        raise Conflict(
            "This workout is already moving an avatar; finish that session first."
        ) from None
    broadcast_on_commit(world_group(world.pk), {"type": "world.refresh"})
    return session


def session_finish(*, user: User, session_id: int) -> AvatarSession:
    with transaction.atomic():
        session = AvatarSession.objects.select_for_update().filter(pk=session_id, user=user).first()
        if session is None:
            raise NotFound("No such session.")
        if session.status == SessionStatus.ACTIVE:
            session.status = SessionStatus.FINISHED
            session.finished_at = timezone.now()
            session.save(update_fields=["status", "finished_at"])
        broadcast_on_commit(world_group(session.world_id), {"type": "world.refresh"})
    return session


def _athlete(profile: Profile) -> movement.Athlete:
    peak = profile_max_heart_rate(profile)
    return movement.Athlete(
        resting_hr=profile.resting_heart_rate or movement.DEFAULT_RESTING_HR,
        max_hr=int(peak.value) if peak is not None else movement.DEFAULT_MAX_HR,
    )


def avatars_advance(
    *, world_id: int, batches: Mapping[int, Iterable[Mapping[str, Any]]]
) -> dict[int, selectors.AvatarView]:
    """Move live sessions of one world by their samples (``session_id -> samples``: a ticker's
    whole tick) in one transaction; return what spectators see of each, with its events.

    Idempotent: samples at or before a session's last applied time are ignored, so the same batch
    delivered to several server processes moves the avatar once. Sessions that are over, gone or
    in another world are left out; ``{"hidden": True}`` is merged in for people who keep out of
    live worlds. A tick costs a fixed number of queries however many avatars move.
    """
    wanted = {int(session_id): list(samples) for session_id, samples in batches.items()}
    if not wanted:
        return {}
    with transaction.atomic():
        sessions = list(
            # Lock only the session rows (PostgreSQL cannot lock the outer-joined profile), in one
            # order for every process, so tickers of several processes never deadlock.
            AvatarSession.objects.select_for_update(of=("self",))
            .select_related("user__profile")
            .filter(pk__in=wanted, world_id=world_id, status=SessionStatus.ACTIVE)
            .order_by("pk")
        )
        if not sessions:
            return {}
        world = World.objects.select_related("route").get(pk=world_id)
        course, geometry = selectors.world_course(world)
        positions = dict(
            AvatarSession.objects.filter(
                world_id=world_id, status=SessionStatus.ACTIVE
            ).values_list("pk", "distance_m")
        )
        steps = {s.pk: _session_step(s, wanted[s.pk], course) for s in sessions}
        pack = movement.Pack(
            positions,
            {pk: step.distance_m for pk, (step, events) in steps.items() if events is not None},
        )
        moved: list[AvatarSession] = []
        stored: list[SessionEvent] = []
        views: dict[int, selectors.AvatarView] = {}
        for session in sessions:
            session.world = world
            step, events = steps[session.pk]
            if events is not None:
                events.extend(
                    pack.events(
                        session.pk,
                        before_m=session.distance_m,
                        after_m=step.distance_m,
                        t=step.last_t or 0.0,
                    )
                )
                _session_apply(session, step)
                moved.append(session)
                stored.extend(
                    SessionEvent(
                        session=session, kind=e.kind, t=e.t, distance_m=e.distance_m, data=e.data
                    )
                    for e in events
                )
                _notify_athlete(session, events)
            view = selectors.avatar_view(
                session, session.user.profile, geometry, course.lap_length_m
            )
            view["grade_applied"] = step.gradient_applied
            view["events"] = [{"kind": e.kind, **e.data} for e in events or ()]
            if not session.user.profile.show_in_live_worlds:
                view["hidden"] = True
            views[session.pk] = view
        _sessions_moved_store(moved)
        SessionEvent.objects.bulk_create(stored, batch_size=500)
    return views


# What a tick changes on a live session's row (a finish also sets status, finished_at and time).
SESSION_MOVED_FIELDS = ("distance_m", "speed_mps", "gradient", "last_t", "started_t")


def _sessions_moved_store(sessions: Sequence[AvatarSession]) -> None:
    """Store the moved sessions' rows: one UPDATE for every row of the tick still live.

    Django's ``bulk_update`` built a CASE expression per row and field, which took ~90 % of a
    500-avatar tick (``wellness.core.sql.rows_update`` sends the rows as parameters).
    """
    finished = [s for s in sessions if s.status != SessionStatus.ACTIVE]
    for session in finished:  # a handful a tick at most
        session.save(
            update_fields=[*SESSION_MOVED_FIELDS, "status", "finished_at", "finish_time_s"]
        )
    live = [s for s in sessions if s.status == SessionStatus.ACTIVE]
    rows_update(
        AvatarSession,
        key="id",
        fields=SESSION_MOVED_FIELDS,
        sql_type="DOUBLE PRECISION",
        rows=[(s.pk, *(getattr(s, f) for f in SESSION_MOVED_FIELDS)) for s in live],
    )


def _session_step(
    session: AvatarSession, samples: Sequence[Mapping[str, Any]], course: movement.Course
) -> tuple[movement.AvatarState, list[movement.Event] | None]:
    """The session's state after these samples and its course events (None: nothing new)."""
    before = movement.AvatarState(
        distance_m=session.distance_m,
        speed_mps=session.speed_mps,
        gradient=session.gradient,
        last_t=session.last_t,
        started_t=session.started_t,
    )
    after, events = movement.avatar_step(
        before,
        samples,
        course=course,
        sport=session.sport,
        indoor=session.indoor,
        athlete=_athlete(session.user.profile),
    )
    return after, events if after.last_t != before.last_t else None


def _session_apply(session: AvatarSession, after: movement.AvatarState) -> None:
    session.distance_m = after.distance_m
    session.speed_mps = after.speed_mps
    session.gradient = after.gradient
    session.last_t = after.last_t
    session.started_t = after.started_t
    if after.finished:
        session.status = SessionStatus.FINISHED
        session.finished_at = timezone.now()
        session.finish_time_s = after.finish_time_s


def _notify_athlete(session: AvatarSession, events: Sequence[movement.Event]) -> None:
    """Landmarks, laps and the finish also go to the athlete's notification socket."""
    for event in events:
        if event.kind in ("landmark", "lap", "finish"):
            notify_on_commit(
                user_id=session.user_id,
                event={
                    "kind": f"world.{event.kind}",
                    "world_id": session.world_id,
                    "session_id": session.pk,
                    **event.data,
                },
            )


# --- Group runs ---------------------------------------------------------------------------------


def group_run_schedule(
    *, organizer: User, world_id: int, title: str, starts_at: dt.datetime, pen: str = ""
) -> GroupRun:
    world = selectors.world_for(user=organizer, world_id=world_id)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["Give the group run a title."]
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = ["Give the start time with its time zone."]
    elif starts_at <= timezone.now():
        errors["starts_at"] = ["The start time must be in the future."]
    if errors:
        raise ValidationFailed("The group run could not be scheduled.", fields=errors)
    with transaction.atomic():
        run = GroupRun.objects.create(
            world=world,
            organizer=organizer,
            title=title.strip()[:80],
            starts_at=starts_at,
            pen=pen[:40],
        )
        run.participants.add(organizer)
    return run


def group_run_join(*, user: User, group_run_id: int) -> GroupRun:
    run = selectors.group_run_for(user=user, group_run_id=group_run_id)
    run.participants.add(user)
    return run


# --- Journeys -----------------------------------------------------------------------------------


def journey_create(*, name: str, description: str, world_ids: Sequence[int]) -> Journey:
    """A journey through these worlds' routes, in order (for operators and the demo)."""
    worlds = {w.pk: w for w in World.objects.filter(pk__in=world_ids, route__isnull=False)}
    if not world_ids or any(i not in worlds for i in world_ids):
        raise ValidationFailed(
            "A journey needs one or more existing worlds with routes.",
            fields={"world_ids": ["Unknown world, or a world without a route."]},
        )
    with transaction.atomic():
        journey = Journey.objects.create(name=name.strip()[:80], description=description)
        JourneyStage.objects.bulk_create(
            JourneyStage(journey=journey, order=i, world=worlds[w]) for i, w in enumerate(world_ids)
        )
    return journey


def journey_join(
    *, user: User, journey_id: int, community_id: int | None = None
) -> JourneyProgress:
    """Start (or return) the person's progress; with a community, their workouts also move it."""
    journey = selectors.journey_get(journey_id=journey_id)
    if community_id is not None and (not isinstance(community_id, int) or community_id <= 0):
        raise ValidationFailed(
            "Give a valid community id.", fields={"community_id": ["Must be a positive integer."]}
        )
    progress, created = JourneyProgress.objects.get_or_create(
        journey=journey, user=user, defaults={"travels_with_community_id": community_id}
    )
    if (
        not created
        and community_id is not None
        and progress.travels_with_community_id != community_id
    ):
        progress.travels_with_community_id = community_id
        progress.save(update_fields=["travels_with_community_id"])
    return progress


def _progress_advance(
    *, progress_id: int, workout_id: int, distance_m: float, notify_user_id: int | None
) -> None:
    progress = JourneyProgress.objects.select_for_update().get(pk=progress_id)
    total, landmarks, profile = selectors.journey_layout(progress.journey)
    _, created = JourneyAdvance.objects.get_or_create(
        progress=progress, workout_id=workout_id, defaults={"distance_m": distance_m}
    )
    if not created:
        return
    JourneyProgress.objects.filter(pk=progress.pk).update(distance_m=F("distance_m") + distance_m)
    progress.refresh_from_db(fields=["distance_m", "completed_at"])
    if progress.distance_m >= total and progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    unlocked = set(progress.postcards.values_list("landmark_id", flat=True))
    new = [
        Postcard(
            progress=progress,
            landmark=mark,
            journey_distance_m=at,
            elevation_profile=[p for p in profile if p[0] <= at],
        )
        for at, mark in landmarks
        if at <= progress.distance_m and mark.pk not in unlocked
    ]
    Postcard.objects.bulk_create(new)
    if notify_user_id is not None:
        for card in new:
            notify_on_commit(
                user_id=notify_user_id,
                event={
                    "kind": "journey.postcard",
                    "journey_id": progress.journey_id,
                    "landmark": card.landmark.name,
                },
            )


def journeys_advance_many(*, scored: Sequence[ScoredWorkout]) -> None:
    """Scoring hand-off: move the people's journeys (and their communities') by each workout's
    effort-fair distance, reading the chunk's journey progress in one query. Idempotent per
    workout. Community progress is shared and so counts only workouts that count for leaderboards
    (a flagged workout waits for an organizer)."""
    moving = [s for s in scored if float(s.effort_distance_m) > 0]
    if not moving:
        return
    with transaction.atomic():
        by_user: dict[int, list[JourneyProgress]] = {}
        for progress in JourneyProgress.objects.filter(
            user_id__in=sorted({s.user_id for s in moving})
        ).order_by("id"):
            assert progress.user_id is not None
            by_user.setdefault(progress.user_id, []).append(progress)
        for item in moving:
            distance = float(item.effort_distance_m)
            for progress in by_user.get(item.user_id, []):
                _progress_advance(
                    progress_id=progress.pk,
                    workout_id=item.workout_id,
                    distance_m=distance,
                    notify_user_id=item.user_id,
                )
                if progress.travels_with_community_id and item.counts_for_leaderboards:
                    community, _ = JourneyProgress.objects.get_or_create(
                        journey_id=progress.journey_id,
                        community_id=progress.travels_with_community_id,
                    )
                    _progress_advance(
                        progress_id=community.pk,
                        workout_id=item.workout_id,
                        distance_m=distance,
                        notify_user_id=None,
                    )
