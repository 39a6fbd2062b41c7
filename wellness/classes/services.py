"""Writes for classes: instructors, the catalogue, schedules, bookings, reminders, live sessions and
attendances (a class taken, with its workout for the scoring pipeline)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from challenges import selectors as community_selectors
from wellness.classes import scoring, selectors
from wellness.classes.models import (
    Attendance,
    AttendanceStatus,
    Booking,
    BookingStatus,
    ClassKind,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    Instructor,
    Level,
    LiveShare,
    SessionStatus,
)
from wellness.classes.plan import PlanInvalid, hr_zone, parse_segments, segments_from_json
from wellness.core.errors import (
    Conflict,
    ConsentRequired,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from wellness.core.groups import user_group
from wellness.core.transactions import broadcast_on_commit, enqueue_on_commit
from wellness.people.models import User
from wellness.people.selectors import health_consent_active, profile_max_heart_rate, profile_of
from wellness.workouts.models import Sport, Workout, WorkoutSource
from wellness.workouts.selectors import workout_frame, workout_rr
from wellness.workouts.services import workout_finish, workout_start

SCHEDULE_HORIZON = dt.timedelta(days=28)
MAX_OCCURRENCES_PER_SCHEDULE = 60
MAX_CAPACITY = 1000
REMINDER_LEAD = dt.timedelta(minutes=30)
# A shared heart rate older than this no longer counts in the class meters.
LIVE_HR_TTL_S = 15
MIN_HR, MAX_HR = 25, 250


def class_group(occurrence_id: int) -> str:
    """Everyone in a live session (participants and the instructor)."""
    return f"class-{occurrence_id}"


def class_instructor_group(occurrence_id: int) -> str:
    """Only the instructor's console sockets: per-person zones go here and nowhere else."""
    return f"class-{occurrence_id}-instructor"


def live_hr_key(occurrence_id: int, user_id: int) -> str:
    return f"classes:hr:{occurrence_id}:{user_id}"


# --- Instructors and the catalogue ---------------------------------------------------------------
def instructor_grant(
    *, granted_by: User, user_id: int, bio: str = "", community_id: int | None = None
) -> Instructor:
    """Make a person an instructor. Granting again changes nothing.

    Without ``community_id`` only an administrator may grant, to anyone. With it, an owner or
    organizer of that community grants it to one of the community's active members (a community
    the granter cannot see is a 404, one they do not organize a 403, a person who is not a member
    a 404).
    """
    community = None
    if community_id is None:
        if not granted_by.is_staff:
            raise Forbidden(
                "Only an administrator can grant the instructor role; a community organizer can "
                "grant it to a member of their community (give community_id)."
            )
        user = User.objects.filter(pk=user_id, is_active=True).first()
    else:
        community = community_selectors.community_for_organizer(
            user=granted_by, community_id=community_id
        )
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None and (
            community_selectors.active_membership(user=user, community_id=community.pk) is None
        ):
            user = None
    if user is None:
        raise NotFound("No such person." if community is None else "No such member here.")
    instructor, _ = Instructor.objects.get_or_create(
        user=user, defaults={"bio": bio, "granted_by": granted_by, "community": community}
    )
    return instructor


def _instructor_of(user: User) -> Instructor:
    instructor = Instructor.objects.filter(user=user).first()
    if instructor is None:
        raise Forbidden(
            "Only instructors can publish classes; ask an administrator or an organizer of your "
            "community for the role."
        )
    return instructor


def class_create(
    *,
    user: User,
    title: str,
    kind: str,
    delivery: str,
    segments: Any,
    level: str = Level.ALL,
    language: str = "en",
    description: str = "",
    media_url: str = "",
    accessibility_notes: str = "",
    schedule_rrule: str = "",
    first_start_local: dt.datetime | None = None,
    time_zone: str = "UTC",
    capacity: int | None = None,
) -> FitnessClass:
    """Publish a class; a live class also gets its occurrences for the next four weeks."""
    instructor = _instructor_of(user)
    problems: dict[str, list[str]] = {}
    try:
        plan = parse_segments(segments)
    except PlanInvalid as exc:
        problems.update(exc.problems)
        plan = []
    if kind not in ClassKind.values:
        problems["kind"] = [f"One of {', '.join(ClassKind.values)}."]
    if level not in Level.values:
        problems["level"] = [f"One of {', '.join(Level.values)}."]
    if delivery not in Delivery.values:
        problems["delivery"] = [f"One of {', '.join(Delivery.values)}."]
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems["time_zone"] = ["An IANA time zone name such as Europe/Berlin."]
    if delivery == Delivery.LIVE:
        if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
            problems["capacity"] = [f"A live class needs a capacity from 1 to {MAX_CAPACITY}."]
        if first_start_local is None:
            problems["first_start_local"] = ["A live class needs its first start (local time)."]
        elif timezone.is_aware(first_start_local):
            problems["first_start_local"] = [
                "Give the local wall-clock time without an offset; time_zone says where."
            ]
        if schedule_rrule:
            try:
                rrulestr(schedule_rrule, dtstart=dt.datetime(2000, 1, 1))  # noqa: DTZ001
            except (ValueError, TypeError):
                problems["schedule_rrule"] = ["An RFC 5545 rule such as FREQ=WEEKLY;BYDAY=MO."]
    if problems:
        raise ValidationFailed("The class could not be published.", fields=problems)
    with transaction.atomic():
        fitness_class = FitnessClass.objects.create(
            instructor=instructor,
            title=title,
            kind=kind,
            level=level,
            language=language,
            description=description,
            segments=[s.as_dict() for s in plan],
            duration_seconds=sum(s.duration_s for s in plan),
            media_url=media_url,
            accessibility_notes=accessibility_notes,
            delivery=delivery,
            schedule_rrule=schedule_rrule if delivery == Delivery.LIVE else "",
            first_start_local=(
                first_start_local.replace(tzinfo=ZoneInfo(time_zone))
                if delivery == Delivery.LIVE and first_start_local is not None
                else None
            ),
            time_zone=time_zone,
            capacity=capacity if delivery == Delivery.LIVE else None,
        )
        if delivery == Delivery.LIVE:
            occurrences_schedule(fitness_class=fitness_class)
    return fitness_class


def occurrences_schedule(
    *, fitness_class: FitnessClass, now: dt.datetime | None = None
) -> list[ClassOccurrence]:
    """Create the occurrences of a live class within the horizon. Idempotent (unique starts)."""
    assert fitness_class.first_start_local is not None
    assert fitness_class.capacity is not None
    now = now or timezone.now()
    # In the class's zone, so the rule repeats the local wall-clock time across DST changes.
    dtstart = fitness_class.first_start_local.astimezone(ZoneInfo(fitness_class.time_zone))
    if fitness_class.schedule_rrule:
        rule = rrulestr(fitness_class.schedule_rrule, dtstart=dtstart)
        starts: list[dt.datetime] = []
        for start in rule:
            if start > now + SCHEDULE_HORIZON or len(starts) >= MAX_OCCURRENCES_PER_SCHEDULE:
                break
            if start >= now:
                starts.append(start)
    else:
        starts = [dtstart] if dtstart >= now else []
    ClassOccurrence.objects.bulk_create(
        [
            ClassOccurrence(
                fitness_class=fitness_class,
                starts_at=start.astimezone(dt.UTC),
                capacity=fitness_class.capacity,
            )
            for start in starts
        ],
        ignore_conflicts=True,
    )
    return list(fitness_class.occurrences.filter(starts_at__gte=now))


# --- Booking --------------------------------------------------------------------------------------
def _notify(user_id: int, event: dict[str, Any]) -> None:
    broadcast_on_commit(user_group(user_id), {"type": "notify", "event": event})


def booking_create(*, user: User, occurrence_id: int) -> Booking:
    """Book a place, or a place on the waiting list when the class is full.

    The occurrence row is locked while counting, so parallel bookings are serialised and never
    exceed capacity; the check constraint on ``booked_count`` backs this up in the database.
    """
    with transaction.atomic():
        occurrence = (
            ClassOccurrence.objects.select_for_update()
            .filter(pk=occurrence_id)
            .select_related("fitness_class")
            .first()
        )
        if occurrence is None:
            raise NotFound("No such class occurrence.")
        if (
            occurrence.status == SessionStatus.ENDED
            or occurrence.starts_at
            + dt.timedelta(seconds=occurrence.fitness_class.duration_seconds)
            < timezone.now()
        ):
            raise Conflict("This class is over; book a later one.", code="class_over")
        if (
            Booking.objects.filter(occurrence=occurrence, user=user)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise Conflict("You already have a booking for this class.", code="already_booked")
        if occurrence.booked_count < occurrence.capacity:
            ClassOccurrence.objects.filter(pk=occurrence.pk).update(
                booked_count=F("booked_count") + 1
            )
            status = BookingStatus.BOOKED
        else:
            status = BookingStatus.WAITLISTED
        try:
            with transaction.atomic():
                booking = Booking.objects.create(occurrence=occurrence, user=user, status=status)
        except IntegrityError as exc:  # a double click from the same person, in parallel
            raise Conflict(
                "You already have a booking for this class.", code="already_booked"
            ) from exc
        if status == BookingStatus.BOOKED:
            _queue_reminder(booking, occurrence)
    return booking


def _queue_reminder(booking: Booking, occurrence: ClassOccurrence) -> None:
    from wellness.classes.tasks import booking_remind_task

    eta = occurrence.starts_at - REMINDER_LEAD
    booking_id = booking.pk
    # enqueue_on_commit has no eta; the same on-commit rule, with one.
    transaction.on_commit(
        lambda: booking_remind_task.apply_async(args=(booking_id,), eta=max(eta, timezone.now()))
    )


def booking_cancel(*, user: User, booking_id: int) -> Booking:
    """Cancel a booking; a freed place goes to the first person on the waiting list."""
    with transaction.atomic():
        booking = Booking.objects.filter(pk=booking_id, user=user).first()
        if booking is None:
            raise NotFound("No such booking.")
        occurrence = ClassOccurrence.objects.select_for_update().get(pk=booking.occurrence_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        was_booked = booking.status == BookingStatus.BOOKED
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        if was_booked:
            first_waiting = (
                Booking.objects.select_for_update()
                .filter(occurrence=occurrence, status=BookingStatus.WAITLISTED)
                .order_by("created_at", "id")
                .first()
            )
            if first_waiting is None:
                ClassOccurrence.objects.filter(pk=occurrence.pk).update(
                    booked_count=F("booked_count") - 1
                )
            else:
                first_waiting.status = BookingStatus.BOOKED
                first_waiting.promoted_at = timezone.now()
                first_waiting.save(update_fields=["status", "promoted_at"])
                _notify(
                    first_waiting.user_id,
                    {
                        "kind": "class_place_offered",
                        "booking_id": first_waiting.pk,
                        "occurrence_id": occurrence.pk,
                        "title": occurrence.fitness_class.title,
                        "starts_at": occurrence.starts_at.isoformat(),
                    },
                )
                _queue_reminder(first_waiting, occurrence)
    return booking


def booking_remind(*, booking_id: int) -> bool:
    """Send the class reminder once; True if this call sent it."""
    with transaction.atomic():
        sent = Booking.objects.filter(
            pk=booking_id, status=BookingStatus.BOOKED, reminded_at__isnull=True
        ).update(reminded_at=timezone.now())
        if not sent:
            return False
        booking = Booking.objects.select_related("occurrence__fitness_class").get(pk=booking_id)
        _notify(
            booking.user_id,
            {
                "kind": "class_reminder",
                "booking_id": booking.pk,
                "occurrence_id": booking.occurrence_id,
                "title": booking.occurrence.fitness_class.title,
                "starts_at": booking.occurrence.starts_at.isoformat(),
            },
        )
    return True


# --- The live session ----------------------------------------------------------------------------
SESSION_ACTIONS = ("start", "pause", "resume", "next", "previous", "goto", "end")


def session_control(
    *,
    user: User,
    occurrence_id: int,
    action: str,
    index: int | None = None,
    now: dt.datetime | None = None,
) -> ClassOccurrence:
    """The instructor's console: start, pause, resume, move between segments, end."""
    with transaction.atomic():
        occurrence = (
            ClassOccurrence.objects.select_for_update()
            .select_related("fitness_class__instructor")
            .filter(pk=occurrence_id)
            .first()
        )
        if occurrence is None or not selectors.can_join(user=user, occurrence=occurrence):
            raise NotFound("No such class occurrence.")
        if occurrence.fitness_class.instructor.user_id != user.pk:
            raise Forbidden("Only the class's instructor can run its session.")
        if action not in SESSION_ACTIONS:
            raise ValidationFailed(
                f"Unknown action; use one of {', '.join(SESSION_ACTIONS)}.",
                fields={"action": [f"One of {', '.join(SESSION_ACTIONS)}."]},
            )
        now = now or timezone.now()
        count = len(occurrence.fitness_class.segments)
        status = occurrence.status
        if status == SessionStatus.ENDED:
            raise Conflict("This session has ended.", code="session_ended")
        running = status == SessionStatus.RUNNING

        def banked() -> float:
            if running and occurrence.running_since is not None:
                return occurrence.segment_elapsed + (now - occurrence.running_since).total_seconds()
            return occurrence.segment_elapsed

        if action == "start":
            if status != SessionStatus.SCHEDULED:
                raise Conflict("The session has already started.", code="session_started")
            occurrence.status, occurrence.running_since = SessionStatus.RUNNING, now
        elif action == "pause":
            if not running:
                raise Conflict("The session is not running.", code="session_not_running")
            occurrence.segment_elapsed = banked()
            occurrence.status, occurrence.running_since = SessionStatus.PAUSED, None
        elif action == "resume":
            if status != SessionStatus.PAUSED:
                raise Conflict("The session is not paused.", code="session_not_paused")
            occurrence.status, occurrence.running_since = SessionStatus.RUNNING, now
        elif action == "end":
            occurrence.segment_elapsed = banked()
            occurrence.status, occurrence.running_since = SessionStatus.ENDED, None
        else:
            if status == SessionStatus.SCHEDULED:
                raise Conflict("Start the session first.", code="session_not_started")
            target = {
                "next": occurrence.segment_index + 1,
                "previous": occurrence.segment_index - 1,
                "goto": index if index is not None else -1,
            }[action]
            if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < count:
                raise ValidationFailed(
                    f"There is no segment {target}; this class has segments 0 to {count - 1}.",
                    fields={"index": [f"A segment number from 0 to {count - 1}."]},
                )
            occurrence.segment_index = target
            occurrence.segment_elapsed = 0.0
            occurrence.running_since = now if running else None
        _session_changed(occurrence, now=now)
        if action == "start":
            _queue_overdue_end(occurrence, now=now)
    return occurrence


def _session_changed(occurrence: ClassOccurrence, *, now: dt.datetime) -> None:
    """Store a change of the session's state (called under its row lock) and tell every
    participant after commit; an ended session completes its attendances."""
    occurrence.revision = F("revision") + 1
    # Under the row lock, so appending to the stored list loses no entry.
    occurrence.timeline = [
        *occurrence.timeline,
        {
            "t": round(now.timestamp(), 3),
            "segment": occurrence.segment_index,
            "status": occurrence.status,
        },
    ]
    occurrence.save(
        update_fields=[
            "status",
            "segment_index",
            "segment_elapsed",
            "running_since",
            "revision",
            "timeline",
        ]
    )
    occurrence.refresh_from_db()
    broadcast_on_commit(
        class_group(occurrence.pk),
        {"type": "session.state", "state": selectors.session_state(occurrence=occurrence)},
    )
    if occurrence.status == SessionStatus.ENDED:
        from wellness.classes.tasks import occurrence_attendances_complete_task

        enqueue_on_commit(occurrence_attendances_complete_task, occurrence.pk)


def _session_overdue_at(occurrence: ClassOccurrence) -> dt.datetime | None:
    """When a started session counts as forgotten: its first start plus the longest an
    attendance may last (MAX_ATTENDANCE_FACTOR times the planned length)."""
    starts = [e["t"] for e in occurrence.timeline if e.get("status") == SessionStatus.RUNNING]
    if not starts:
        return None
    allowed = occurrence.fitness_class.duration_seconds * MAX_ATTENDANCE_FACTOR
    return dt.datetime.fromtimestamp(starts[0], tz=dt.UTC) + dt.timedelta(seconds=allowed)


def _queue_overdue_end(occurrence: ClassOccurrence, *, now: dt.datetime) -> None:
    from wellness.classes.tasks import session_end_overdue_task

    eta = _session_overdue_at(occurrence) or now
    occurrence_id = occurrence.pk
    # The task checks the time itself, so a worker that runs it early (or the embedded default,
    # which runs tasks at once) changes nothing.
    transaction.on_commit(
        lambda: session_end_overdue_task.apply_async(args=(occurrence_id,), eta=eta)
    )


def session_end_overdue(*, occurrence_id: int, now: dt.datetime | None = None) -> bool:
    """End a live session its instructor started but never ended, once it has run longer than
    any attendance may count, so its participants' workouts finish and are scored. Returns
    whether it ended the session; idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = (
            ClassOccurrence.objects.select_for_update()
            .select_related("fitness_class")
            .filter(pk=occurrence_id)
            .first()
        )
        if occurrence is None or occurrence.status not in (
            SessionStatus.RUNNING,
            SessionStatus.PAUSED,
        ):
            return False
        overdue_at = _session_overdue_at(occurrence)
        if overdue_at is None or now < overdue_at:
            return False
        if occurrence.status == SessionStatus.RUNNING and occurrence.running_since is not None:
            occurrence.segment_elapsed += (now - occurrence.running_since).total_seconds()
        occurrence.status, occurrence.running_since = SessionStatus.ENDED, None
        _session_changed(occurrence, now=now)
    return True


def sessions_end_overdue(*, now: dt.datetime | None = None) -> int:
    """End every started session that is overdue (see :func:`session_end_overdue`); returns how
    many it ended. The embedded default runs tasks at once, so the check that starting a session
    queues for later cannot wait there: the server calls this every minute instead."""
    now = now or timezone.now()
    live = ClassOccurrence.objects.filter(
        status__in=(SessionStatus.RUNNING, SessionStatus.PAUSED)
    ).select_related("fitness_class")
    overdue = [
        occurrence.pk
        for occurrence in live
        if (overdue_at := _session_overdue_at(occurrence)) is not None and now >= overdue_at
    ]
    return sum(session_end_overdue(occurrence_id=pk, now=now) for pk in overdue)


def live_share_set(
    *,
    user: User,
    occurrence_id: int,
    sharing: bool,
    show_numbers: bool = False,
    use_pseudonym: bool = False,
) -> LiveShare:
    """Opt in or out of sharing live heart rate with this class (opt-in needs health consent)."""
    occurrence = ClassOccurrence.objects.filter(pk=occurrence_id).first()
    if occurrence is None or not selectors.can_join(user=user, occurrence=occurrence):
        raise NotFound("No such class occurrence.")
    if sharing and not health_consent_active(user=user):
        raise ConsentRequired()
    share, _ = LiveShare.objects.update_or_create(
        occurrence=occurrence,
        user=user,
        defaults={
            "sharing": sharing,
            "show_numbers": sharing and show_numbers,
            "use_pseudonym": use_pseudonym,
        },
    )
    if not sharing:
        cache.delete(live_hr_key(occurrence.pk, user.pk))
    return share


def live_hr_publish(*, user: User, occurrence_id: int, hr: Any) -> None:
    """Relay a participant's live heart rate: their zone to the instructor, meters to the class.

    Nothing is stored in the database; the latest reading waits in the cache for the meters.
    """
    if isinstance(hr, bool) or not isinstance(hr, int | float) or not MIN_HR <= hr <= MAX_HR:
        raise ValidationFailed(
            f"hr is a heart rate in bpm from {MIN_HR} to {MAX_HR}.",
            fields={"hr": [f"A number from {MIN_HR} to {MAX_HR}."]},
        )
    share = (
        LiveShare.objects.select_related("occurrence")
        .filter(occurrence_id=occurrence_id, user=user, sharing=True)
        .first()
    )
    if share is None:
        raise Forbidden(
            "Opt in to sharing your heart rate with this class first.", code="not_sharing"
        )
    if not health_consent_active(user=user):
        raise ConsentRequired()
    profile = profile_of(user=user)
    estimate = profile_max_heart_rate(profile)
    max_hr = float(estimate.value) if estimate else selectors.DEFAULT_MAX_HR
    cache.set(
        live_hr_key(occurrence_id, user.pk),
        {"hr": float(hr), "max_hr": max_hr},
        timeout=LIVE_HR_TTL_S,
    )
    name = selectors.share_name(share=share, profile=profile)
    zone_event: dict[str, Any] = {"name": name, "zone": hr_zone(float(hr), max_hr)}
    if share.show_numbers:
        zone_event["hr"] = round(float(hr))
    broadcast_on_commit(
        class_instructor_group(occurrence_id),
        {"type": "class.zone", "sharer": {"id": share.pk, **zone_event}},
    )
    broadcast_on_commit(
        class_group(occurrence_id),
        {"type": "class.meters", "meters": selectors.class_meters_now(occurrence_id=occurrence_id)},
    )


# --- Attendance: a class taken, and its workout ---------------------------------------------------
# The workout's sport, which decides its typical effort (MET) and mindful minutes in scoring:
# mobility is scored as yoga (Compendium: stretching 2.3 MET, Hatha yoga 2.5).
CLASS_SPORTS = {
    ClassKind.YOGA: Sport.YOGA,
    ClassKind.BREATHING: Sport.YOGA,
    ClassKind.MOBILITY: Sport.YOGA,
    ClassKind.HIIT: Sport.OTHER,
    ClassKind.RUN_CLUB: Sport.RUN,
}
OUTDOOR_KINDS = frozenset({ClassKind.RUN_CLUB})
# An attendance never counts for longer than this multiple of the class's planned length: a
# player left open, or a session its instructor never ended, does not become hours of yoga.
MAX_ATTENDANCE_FACTOR = 1.5
# How much longer than the time since the start a player may claim (clocks and network delay).
ATTENDED_CLOCK_SLACK_S = 5.0


def _attendance_limit(attendance: Attendance) -> dt.datetime:
    allowed = attendance.fitness_class.duration_seconds * MAX_ATTENDANCE_FACTOR
    return attendance.started_at + dt.timedelta(seconds=allowed)


def _attendance_open(
    *, user: User, fitness_class: FitnessClass, occurrence: ClassOccurrence | None, now: dt.datetime
) -> Attendance:
    """Record the attendance and, with health-data consent, open its workout.

    The workout's ``client_id`` is ``class-<attendance id>``: a bridge or phone that starts a
    workout with it streams its heart rate into this one (``workout_start`` resumes by client id).
    Without consent the attendance is kept (it is like a booking) but no workout is recorded.
    """
    attendance = Attendance.objects.create(
        user=user, fitness_class=fitness_class, occurrence=occurrence, started_at=now
    )
    if health_consent_active(user=user):
        attendance.workout = workout_start(
            user=user,
            sport=CLASS_SPORTS[ClassKind(fitness_class.kind)],
            indoor=fitness_class.kind not in OUTDOOR_KINDS,
            started_at=now,
            source=WorkoutSource.CLASS,
            client_id=f"class-{attendance.pk}",
        )
        attendance.save(update_fields=["workout"])
    return attendance


def attendance_start_live(
    *, user: User, occurrence_id: int, now: dt.datetime | None = None
) -> Attendance:
    """Join a running live session as a participant; joining again (a reconnect) resumes."""
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = selectors.occurrence_for(user=user, occurrence_id=occurrence_id)
        if occurrence is None:
            raise NotFound("No such class occurrence.")
        if selectors.is_instructor_of(user=user, occurrence=occurrence):
            raise Forbidden(
                "You teach this class; attendance is for its participants.", code="instructor"
            )
        existing = Attendance.objects.filter(user=user, occurrence=occurrence).first()
        if existing is not None:
            return existing
        if occurrence.status == SessionStatus.SCHEDULED:
            raise Conflict(
                "The class has not started yet; you join when the instructor starts it.",
                code="session_not_started",
            )
        if occurrence.status == SessionStatus.ENDED:
            raise Conflict("This session has ended.", code="session_ended")
        try:
            with transaction.atomic():
                return _attendance_open(
                    user=user,
                    fitness_class=occurrence.fitness_class,
                    occurrence=occurrence,
                    now=now,
                )
        except IntegrityError:  # a second tab joined at the same moment
            return Attendance.objects.get(user=user, occurrence=occurrence)


def attendance_start_on_demand(
    *, user: User, class_id: int, now: dt.datetime | None = None
) -> Attendance:
    """Start an on-demand class, or return the run already going.

    A run left open past its time limit is completed at that limit first, so a new one starts.
    """
    now = now or timezone.now()
    with transaction.atomic():
        fitness_class = selectors.class_get(class_id=class_id)
        if fitness_class is None:
            raise NotFound("No such class.")
        if fitness_class.delivery != Delivery.ON_DEMAND:
            raise Conflict(
                "This is a live class: book a date and join it when it starts.", code="live_class"
            )
        current = (
            Attendance.objects.select_for_update()
            .filter(
                user=user,
                fitness_class=fitness_class,
                occurrence__isnull=True,
                status=AttendanceStatus.STARTED,
            )
            .first()
        )
        if current is not None:
            if now <= _attendance_limit(current):
                return current
            _attendance_close(current, until=now)
        try:
            with transaction.atomic():
                return _attendance_open(
                    user=user, fitness_class=fitness_class, occurrence=None, now=now
                )
        except IntegrityError:  # a double click: the other request started it
            return Attendance.objects.get(
                user=user,
                fitness_class=fitness_class,
                occurrence__isnull=True,
                status=AttendanceStatus.STARTED,
            )


def attendance_complete(
    *,
    user: User,
    attendance_id: int,
    attended_s: float | None = None,
    now: dt.datetime | None = None,
) -> Attendance:
    """Complete the person's attendance: its workout finishes, is scored by the normal pipeline
    and handed to challenges and worlds; the class metrics are stored. Completing again changes
    nothing.

    ``attended_s`` (optional) is how long the person actually took part, as an on-demand player
    counts it without its pauses; it cannot exceed the time since the start.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("fitness_class", "occurrence")
            .filter(pk=attendance_id, user=user)
            .first()
        )
        if attendance is None:
            raise NotFound("No such attendance.")
        if attendance.status == AttendanceStatus.COMPLETED:
            return attendance
        until = now
        if attended_s is not None:
            since_start = (now - attendance.started_at).total_seconds()
            if not 0 <= attended_s <= since_start + ATTENDED_CLOCK_SLACK_S:
                raise ValidationFailed(
                    f"attended_s is the seconds you took part: from 0 to the {since_start:.0f} "
                    "seconds since you started.",
                    fields={"attended_s": [f"A number from 0 to {since_start:.0f}."]},
                )
            until = min(now, attendance.started_at + dt.timedelta(seconds=attended_s))
        return _attendance_close(attendance, until=until)


def occurrence_attendances_complete(*, occurrence_id: int) -> int:
    """Complete every attendance still open in an ended session, at the session's end; return
    how many. Idempotent (completed attendances are left alone)."""
    occurrence = ClassOccurrence.objects.filter(pk=occurrence_id).first()
    if occurrence is None or occurrence.status != SessionStatus.ENDED:
        return 0
    ends = [e["t"] for e in occurrence.timeline if e.get("status") == SessionStatus.ENDED]
    until = dt.datetime.fromtimestamp(ends[-1], tz=dt.UTC) if ends else timezone.now()
    done = 0
    for pk in Attendance.objects.filter(
        occurrence_id=occurrence_id, status=AttendanceStatus.STARTED
    ).values_list("pk", flat=True):
        with transaction.atomic():
            attendance = (
                Attendance.objects.select_for_update(of=("self",))
                .select_related("fitness_class", "occurrence")
                .filter(pk=pk, status=AttendanceStatus.STARTED)
                .first()
            )
            if attendance is not None:
                _attendance_close(attendance, until=until)
                done += 1
    return done


def _attendance_close(attendance: Attendance, *, until: dt.datetime) -> Attendance:
    """Finish the workout at ``until`` (within the time limit) and store the class metrics."""
    end = max(attendance.started_at, min(until, _attendance_limit(attendance)))
    metrics: dict[str, Any] = {}
    if attendance.workout_id is not None:
        workout = workout_finish(
            workout_id=attendance.workout_id, user=attendance.user, ended_at=end
        )
        metrics = _class_metrics(attendance, workout, end)
    attendance.status = AttendanceStatus.COMPLETED
    attendance.completed_at = end
    attendance.metrics = metrics
    attendance.save(update_fields=["status", "completed_at", "metrics"])
    return attendance


def _class_metrics(attendance: Attendance, workout: Workout, end: dt.datetime) -> dict[str, Any]:
    segments = segments_from_json(attendance.fitness_class.segments)
    start_t, end_t = attendance.started_at.timestamp(), end.timestamp()
    if attendance.occurrence is not None:
        spans = scoring.timeline_spans(
            attendance.occurrence.timeline, start_t=start_t, until_t=end_t
        )
    else:
        spans = scoring.planned_spans(segments, start_t=start_t, until_t=end_t)
    frame = workout_frame(workout=workout.pk)
    profile = profile_of(user=attendance.user)
    estimate = profile_max_heart_rate(profile)
    return scoring.class_metrics(
        segments=segments,
        spans=spans,
        t=frame["t"].to_numpy(),
        hr=frame["hr"].to_numpy(),
        rr_ms=workout_rr(workout=workout.pk),
        max_hr=float(estimate.value) if estimate else selectors.DEFAULT_MAX_HR,
        max_hr_source=estimate.source if estimate else "assumed",
        kind=attendance.fitness_class.kind,
    )


def attendances_erase(user_id: int) -> None:
    """Health-data eraser: the class metrics (heart rate, HRV) of every attendance. Idempotent.

    That a class was taken stays, like a booking; the workouts go with the workouts' eraser.
    """
    Attendance.objects.filter(user_id=user_id).update(metrics={})
