"""Writes for classes: instructors, the catalogue, schedules, bookings, reminders, live sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wellness import selectors as person_selectors
from wellness.classes import selectors
from wellness.classes.models import (
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
from wellness.classes.plan import PlanInvalid, hr_zone, parse_segments
from wellness.errors import (
    Conflict,
    ConsentRequired,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from wellness.models import User
from wellness.services import user_group
from wellness.transactions import broadcast_on_commit

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
def instructor_grant(*, granted_by: User, user_id: int, bio: str = "") -> Instructor:
    """Make a person an instructor. Admin only for now (community organizers later)."""
    if not granted_by.is_staff:
        raise Forbidden("Only an administrator can grant the instructor role.")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such person.")
    instructor, _ = Instructor.objects.get_or_create(
        user=user, defaults={"bio": bio, "granted_by": granted_by}
    )
    return instructor


def _instructor_of(user: User) -> Instructor:
    instructor = Instructor.objects.filter(user=user).first()
    if instructor is None:
        raise Forbidden("Only instructors can publish classes; ask an administrator for the role.")
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
    *, user: User, occurrence_id: int, action: str, index: int | None = None
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
        now = timezone.now()
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
        occurrence.revision = F("revision") + 1
        occurrence.save(
            update_fields=[
                "status",
                "segment_index",
                "segment_elapsed",
                "running_since",
                "revision",
            ]
        )
        occurrence.refresh_from_db()
        broadcast_on_commit(
            class_group(occurrence.pk),
            {"type": "session.state", "state": selectors.session_state(occurrence=occurrence)},
        )
    return occurrence


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
    if sharing and not person_selectors.health_consent_active(user=user):
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
    if not person_selectors.health_consent_active(user=user):
        raise ConsentRequired()
    profile = person_selectors.profile_of(user=user)
    estimate = person_selectors.profile_max_heart_rate(profile)
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
