"""Reads for classes: the catalogue, bookings, who may join a session, its state and meters."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from challenges.models import CommunityVisibility, Membership, MembershipStatus
from wellness.classes.groups import live_hr_key
from wellness.classes.metrics import explain_class_metrics
from wellness.classes.models import (
    Attendance,
    AttendanceStatus,
    Booking,
    BookingStatus,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    Instructor,
    LiveShare,
)
from wellness.classes.plan import SegmentDict, class_meters, segments_from_json, session_clock
from wellness.people.models import Profile, User
from wellness.people.selectors import anonymous_name, public_name
from wellness.scoring.models import ScoreStatus, StoredScore

DEFAULT_MAX_HR = 190.0
# Class meters are shown only when at least this many people share: with one sharer the
# "aggregate" would be that person's own number.
MIN_SHARERS_FOR_METERS = 2


def classes_catalogue(
    *, user: User, kind: str = "", level: str = "", language: str = "", delivery: str = ""
) -> QuerySet[FitnessClass]:
    """The classes this person may see: the global catalogue's, a public community's, and those
    of the communities they are an active member of (a private community's classes are hidden)."""
    mine = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    qs = FitnessClass.objects.select_related("instructor__user__profile").filter(
        Q(community__isnull=True)
        | Q(community__visibility=CommunityVisibility.PUBLIC)
        | Q(community_id__in=mine)
    )
    for field, value in (("kind", kind), ("level", level), ("language", language)):
        if value:
            qs = qs.filter(**{field: value})
    if delivery:
        qs = qs.filter(delivery=delivery)
    return qs


def class_get(*, user: User, class_id: int) -> FitnessClass | None:
    return classes_catalogue(user=user).filter(pk=class_id).first()


def class_upcoming(*, fitness_class: FitnessClass) -> QuerySet[ClassOccurrence]:
    if fitness_class.delivery != Delivery.LIVE:
        return ClassOccurrence.objects.none()
    return fitness_class.occurrences.filter(starts_at__gte=timezone.now()).order_by("starts_at")


def bookings_for(*, user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(user=user).select_related("occurrence__fitness_class")


def attendances_for(*, user: User) -> QuerySet[Attendance]:
    """The person's attendances with what their history shows (class, date, workout score)."""
    return (
        Attendance.objects.filter(user=user)
        .select_related("fitness_class__instructor__user__profile", "occurrence", "workout__score")
        .defer("workout__series_data", "workout__series_rr")
    )


def attendance_of(*, user: User, attendance_id: int) -> Attendance | None:
    return attendances_for(user=user).filter(pk=attendance_id).first()


def class_history(*, user: User) -> QuerySet[Attendance]:
    """Classes the person took (completed attendances, live or on demand), newest first."""
    return attendances_for(user=user).filter(status=AttendanceStatus.COMPLETED)


# What a history entry shows of its workout's stored score.
SCORE_SUMMARY_METRICS = (
    "duration_s", "mindful_minutes", "active_minutes", "energy_kcal", "energy_method",
    "hr_avg", "hr_max", "rmssd_ms",
)  # fmt: skip


def score_summary(score: StoredScore | None) -> dict[str, Any]:
    """The headline of a workout's stored score; ``pending`` until the pipeline has scored it."""
    if score is None:
        return {"status": "pending"}
    summary: dict[str, Any] = {"status": score.status, "points": score.points}
    if score.status == ScoreStatus.SCORED:
        summary |= {key: score.metrics.get(key) for key in SCORE_SUMMARY_METRICS}
        summary["counts_for_leaderboards"] = score.counts_for_leaderboards
    else:
        summary["reason"] = score.reason
    return summary


def class_mindful_minutes(*, workout_ids: Sequence[int]) -> dict[int, float]:
    """Mindful minutes of class workouts, from their attendances' class metrics (``mindful_s``):
    what scoring counts for a class whose sport is not yoga (a HIIT class's breathing). Workouts
    without completed class metrics (not a class's, erased, or from before ``mindful_s``) are
    left out."""
    if not workout_ids:
        return {}
    rows = Attendance.objects.filter(workout_id__in=workout_ids).values_list(
        "workout_id", "metrics__mindful_s"
    )
    return {pk: float(seconds) / 60.0 for pk, seconds in rows if seconds is not None}


class ClassOfWorkout(TypedDict):
    attendance_id: int
    class_id: int
    title: str
    kind: str
    delivery: str
    occurrence_id: int | None
    status: str
    metrics: dict[str, Any] | None  # the attendance's stored class metrics


# What a class adds to its workout's score view; functional, as "class" is a keyword.
ClassScorePart = TypedDict(
    "ClassScorePart", {"class": ClassOfWorkout, "explanations": dict[str, str]}
)


def workout_class_part(*, workout_id: int) -> ClassScorePart | None:
    """For the workout score view: the class a workout was taken in and its class metrics, with
    their explanations; None for a workout that is not a class's. The caller has checked that the
    workout is the requester's."""
    attendance = (
        Attendance.objects.filter(workout_id=workout_id)
        .select_related("fitness_class", "occurrence")
        .first()
    )
    if attendance is None:
        return None
    return {
        "class": {
            "attendance_id": attendance.pk,
            "class_id": attendance.fitness_class_id,
            "title": attendance.fitness_class.title,
            "kind": attendance.fitness_class.kind,
            "delivery": attendance.fitness_class.delivery,
            "occurrence_id": attendance.occurrence_id,
            "status": attendance.status,
            "metrics": attendance.metrics or None,
        },
        "explanations": explain_class_metrics(attendance.metrics) if attendance.metrics else {},
    }


def instructor_user_id(fitness_class: FitnessClass) -> int | None:
    """Who teaches the class; None once the instructor's account is deleted (the class stays)."""
    instructor = fitness_class.instructor
    return None if instructor is None else instructor.user_id


def can_join(*, user: User, occurrence: ClassOccurrence) -> bool:
    """The instructor, or someone with a confirmed place (not the waiting list)."""
    if instructor_user_id(occurrence.fitness_class) == user.pk:
        return True
    return Booking.objects.filter(
        occurrence=occurrence, user=user, status=BookingStatus.BOOKED
    ).exists()


def occurrence_for(*, user: User, occurrence_id: int) -> ClassOccurrence | None:
    """The occurrence if this person may join its session; else None (shown as 404)."""
    occurrence = (
        ClassOccurrence.objects.select_related("fitness_class__instructor")
        .filter(pk=occurrence_id)
        .first()
    )
    if occurrence is None or not can_join(user=user, occurrence=occurrence):
        return None
    return occurrence


def is_instructor(user: User) -> bool:
    """Holds the instructor role (the two-factor rule's registered test)."""
    return Instructor.objects.filter(user_id=user.pk).exists()


def is_instructor_of(*, user: User, occurrence: ClassOccurrence) -> bool:
    return instructor_user_id(occurrence.fitness_class) == user.pk


class SessionState(TypedDict):
    occurrence_id: int
    revision: int
    status: str
    segment_index: int
    segment_count: int
    segment: SegmentDict
    next_segment: str | None
    elapsed_s: float
    remaining_s: float
    server_time: float  # UNIX seconds when elapsed_s and remaining_s were taken
    is_instructor: NotRequired[bool]  # in the API's answer to a participant or the instructor


def session_state(*, occurrence: ClassOccurrence, now: float | None = None) -> SessionState:
    """Everything a participant's page needs to follow the session, from the database.

    ``server_time`` (UNIX seconds) is when ``elapsed_s``/``remaining_s`` were taken: clients count
    down from there; ``revision`` orders states.
    """
    now = time.time() if now is None else now
    segments = segments_from_json(occurrence.fitness_class.segments)
    clock = session_clock(
        segments,
        segment_index=occurrence.segment_index,
        segment_elapsed=occurrence.segment_elapsed,
        running_since=occurrence.running_since.timestamp() if occurrence.running_since else None,
        now=now,
    )
    segment = segments[clock.segment_index]
    following = (
        segments[clock.segment_index + 1] if clock.segment_index + 1 < len(segments) else None
    )
    return {
        "occurrence_id": occurrence.pk,
        "revision": occurrence.revision,
        "status": occurrence.status,
        "segment_index": clock.segment_index,
        "segment_count": len(segments),
        "segment": segment.as_dict(),
        "next_segment": following.name if following else None,
        "elapsed_s": clock.elapsed_s,
        "remaining_s": clock.remaining_s,
        "server_time": round(now, 3),
    }


def share_name(*, share: LiveShare, profile: Profile) -> str:
    if share.use_pseudonym:
        return profile.pseudonym or anonymous_name(
            user_id=profile.user_id, context=f"class-{share.occurrence_id}"
        )
    return public_name(profile)


class ClassMeters(TypedDict):
    sharers: int
    energy: int | None  # None below MIN_SHARERS_FOR_METERS
    calm: int | None


def class_meters_now(*, occurrence_id: int) -> ClassMeters:
    """Class energy and calm meters from the fresh readings of people who share.

    Returns ``{"sharers": n, "energy": int|None, "calm": int|None}``, the meters None below
    ``MIN_SHARERS_FOR_METERS``. Everyone receives them, so they name no one and carry no one's bpm:
    a sharer's numbers go to the instructor alone, in the zone events.
    """
    sharers = LiveShare.objects.filter(occurrence_id=occurrence_id, sharing=True).values_list(
        "user_id", flat=True
    )
    readings = cache.get_many([live_hr_key(occurrence_id, user_id) for user_id in sharers])
    meters = class_meters([(v["hr"], v["max_hr"]) for v in readings.values()])
    enough = meters.sharers >= MIN_SHARERS_FOR_METERS
    return {
        "sharers": meters.sharers,
        "energy": meters.energy if enough else None,
        "calm": meters.calm if enough else None,
    }


def live_share_of(*, user: User, occurrence_id: int) -> LiveShare | None:
    return LiveShare.objects.filter(occurrence_id=occurrence_id, user=user).first()
