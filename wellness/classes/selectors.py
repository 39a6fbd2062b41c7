"""Reads for classes: the catalogue, bookings, who may join a session, its state and meters."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from wellness.classes.models import (
    Booking,
    BookingStatus,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    LiveShare,
)
from wellness.classes.plan import class_meters, segments_from_json, session_clock
from wellness.models import Profile, User
from wellness.selectors import public_name

DEFAULT_MAX_HR = 190.0
# Class meters are shown only when at least this many people share: with one sharer the
# "aggregate" would be that person's own number.
MIN_SHARERS_FOR_METERS = 2


def classes_catalogue(
    *, kind: str = "", level: str = "", language: str = "", delivery: str = ""
) -> QuerySet[FitnessClass]:
    qs = FitnessClass.objects.select_related("instructor__user__profile")
    for field, value in (("kind", kind), ("level", level), ("language", language)):
        if value:
            qs = qs.filter(**{field: value})
    if delivery:
        qs = qs.filter(delivery=delivery)
    return qs


def class_get(*, class_id: int) -> FitnessClass | None:
    return classes_catalogue().filter(pk=class_id).first()


def class_upcoming(*, fitness_class: FitnessClass) -> QuerySet[ClassOccurrence]:
    if fitness_class.delivery != Delivery.LIVE:
        return ClassOccurrence.objects.none()
    return fitness_class.occurrences.filter(starts_at__gte=timezone.now()).order_by("starts_at")


def bookings_for(*, user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(user=user).select_related("occurrence__fitness_class")


def class_history(*, user: User) -> QuerySet[Booking]:
    """Classes the person attended: booked, and started in the past."""
    return (
        bookings_for(user=user)
        .filter(status=BookingStatus.BOOKED, occurrence__starts_at__lt=timezone.now())
        .order_by("-occurrence__starts_at")
    )


def can_join(*, user: User, occurrence: ClassOccurrence) -> bool:
    """The instructor, or someone with a confirmed place (not the waiting list)."""
    if occurrence.fitness_class.instructor.user_id == user.pk:
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


def is_instructor_of(*, user: User, occurrence: ClassOccurrence) -> bool:
    return bool(occurrence.fitness_class.instructor.user_id == user.pk)


def session_state(*, occurrence: ClassOccurrence, now: float | None = None) -> dict[str, Any]:
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
        return profile.pseudonym or f"Athlete {profile.user_id % 10_000:04d}"
    return public_name(profile)


def class_meters_now(*, occurrence_id: int) -> dict[str, Any]:
    """Class energy and calm meters from the fresh readings of people who share.

    Returns ``{"sharers": n, "energy": int|None, "calm": int|None, "shown": [{"name","hr"}]}``:
    the meters are None below ``MIN_SHARERS_FOR_METERS``; ``shown`` lists only people who chose to
    show their numbers to the class.
    """
    shares = list(
        LiveShare.objects.filter(occurrence_id=occurrence_id, sharing=True).select_related(
            "user__profile"
        )
    )
    from wellness.classes.services import live_hr_key

    keys = {live_hr_key(occurrence_id, s.user_id): s for s in shares}
    readings = cache.get_many(list(keys))
    fresh = [(keys[k], v) for k, v in readings.items()]
    meters = class_meters([(v["hr"], v["max_hr"]) for _, v in fresh])
    enough = meters.sharers >= MIN_SHARERS_FOR_METERS
    return {
        "sharers": meters.sharers,
        "energy": meters.energy if enough else None,
        "calm": meters.calm if enough else None,
        "shown": sorted(
            (
                {"name": share_name(share=s, profile=s.user.profile), "hr": round(v["hr"])}
                for s, v in fresh
                if s.show_numbers
            ),
            key=lambda item: str(item["name"]),
        ),
    }


def live_share_of(*, user: User, occurrence_id: int) -> LiveShare | None:
    return LiveShare.objects.filter(occurrence_id=occurrence_id, user=user).first()


def classes_export(user: User) -> dict[str, Any]:
    bookings = bookings_for(user=user).order_by("created_at", "id")
    shares = LiveShare.objects.filter(user=user)
    instructing = FitnessClass.objects.filter(instructor__user=user)
    return {
        "bookings": [
            {
                "class": b.occurrence.fitness_class.title,
                "starts_at": b.occurrence.starts_at.isoformat(),
                "status": b.status,
                "created_at": b.created_at.isoformat(),
            }
            for b in bookings
        ],
        "live_sharing_choices": [
            {
                "occurrence_id": s.occurrence_id,
                "sharing": s.sharing,
                "show_numbers": s.show_numbers,
                "use_pseudonym": s.use_pseudonym,
            }
            for s in shares
        ],
        "classes_taught": [c.title for c in instructing.filter(~Q(title=""))],
    }
