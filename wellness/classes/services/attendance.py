"""Writes for attendances: a class taken, its workout and its class metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from wellness.classes import metrics, selectors
from wellness.classes.models import (
    Attendance,
    AttendanceStatus,
    ClassKind,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    SessionStatus,
)
from wellness.classes.plan import segments_from_json
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.people.models import User
from wellness.people.selectors import health_consent_active, profile_max_heart_rate, profile_of
from wellness.workouts.models import Sport, Workout, WorkoutSource
from wellness.workouts.selectors import workout_frame, workout_rr
from wellness.workouts.services import workout_finish, workout_start

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
        fitness_class = selectors.class_get(user=user, class_id=class_id)
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
        spans = metrics.timeline_spans(
            attendance.occurrence.timeline, start_t=start_t, until_t=end_t
        )
    else:
        spans = metrics.planned_spans(segments, start_t=start_t, until_t=end_t)
    frame = workout_frame(workout=workout.pk)
    profile = profile_of(user=attendance.user)
    estimate = profile_max_heart_rate(profile)
    return metrics.class_metrics(
        segments=segments,
        spans=spans,
        t=frame["t"].to_numpy(),
        hr=frame["hr"].to_numpy(),
        rr_ms=workout_rr(workout=workout.pk),
        max_hr=float(estimate.value) if estimate else selectors.DEFAULT_MAX_HR,
        max_hr_source=estimate.source if estimate else "assumed",
        kind=attendance.fitness_class.kind,
    )
