"""Writes for instructors and the class catalogue: publishing classes and scheduling them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from challenges import selectors as community_selectors
from wellness.classes.models import (
    ClassKind,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    Instructor,
    Level,
)
from wellness.classes.plan import PlanInvalid, parse_segments
from wellness.core.errors import Forbidden, NotFound, ValidationFailed
from wellness.people.models import User
from wellness.people.roles import role_remove

INSTRUCTOR_ROLE = "instructor"
SCHEDULE_HORIZON = dt.timedelta(days=28)
MAX_OCCURRENCES_PER_SCHEDULE = 60
MAX_CAPACITY = 1000


def instructor_grant(
    *, granted_by: User, user_id: int, bio: str = "", community_id: int | None = None
) -> Instructor:
    """Make a person an instructor. Granting again changes nothing.

    Without ``community_id`` only an administrator may grant, to anyone: such an instructor may
    publish in the global catalogue. With it, an owner or organizer of that community grants it
    to one of the community's active members, who may then publish in that community only; the
    community needs ``INSTRUCTOR_GRANT_MIN_MEMBERS`` active members unless an administrator
    verified the organizer (``challenges.models.OrganizerVerification``). A community the granter
    cannot see is a 404, one they do not organize (now) a 403, a person who is not a member a 404.
    No one grants it to themselves.
    """
    if user_id == granted_by.pk:
        raise Forbidden("No one can grant the instructor role to themselves.")
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
        _community_may_grant(granted_by=granted_by, community_id=community.pk)
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


def instructor_remove(user: User, scope: int | None = None) -> bool:
    """The instructor role's remover (``wellness.people.roles``); their classes stay, shown as
    by a former instructor."""
    deleted, _ = Instructor.objects.filter(user_id=user.pk).delete()
    return bool(deleted)


def instructor_revoke(*, revoked_by: User, user_id: int) -> None:
    """Take the instructor role away: an administrator from anyone, an owner or organizer of the
    community it was granted in from that grant. Their class sockets opened as instructor close.

    A person who is not an instructor, or whose grant the caller may not see, is a 404."""
    instructor = Instructor.objects.filter(user_id=user_id, user__is_active=True).first()
    if instructor is None:
        raise NotFound("No such instructor.")
    if not revoked_by.is_staff:
        if instructor.community_id is None:
            raise NotFound("No such instructor.")
        community_selectors.community_for_organizer(
            user=revoked_by, community_id=instructor.community_id
        )
    role_remove(user=instructor.user, role=INSTRUCTOR_ROLE)


def _community_may_grant(*, granted_by: User, community_id: int) -> None:
    """A small community's organizer grants only once an administrator has verified them."""
    least = settings.INSTRUCTOR_GRANT_MIN_MEMBERS
    if community_selectors.organizer_verified(user=granted_by):
        return
    members = community_selectors.active_member_count(community_id=community_id)
    if members < least:
        raise Forbidden(
            f"A community needs at least {least} active members before its organizers can grant "
            f"the instructor role (this one has {members}); an administrator can verify you as "
            "an organizer instead."
        )


def _instructor_of(user: User, community_id: int | None) -> Instructor:
    """The person's instructor role, if it lets them publish there (None: the global catalogue)."""
    instructor = Instructor.objects.filter(user=user).first()
    if instructor is None:
        raise Forbidden(
            "Only instructors can publish classes; ask an administrator or an organizer of your "
            "community for the role."
        )
    if community_id is None:
        if instructor.community_id is not None:
            raise Forbidden(
                "Your instructor role was granted in a community: publish your classes there "
                "(give community_id). The global catalogue needs an instructor granted by an "
                "administrator."
            )
        return instructor
    community_selectors.community_visible(user=user, community_id=community_id)
    if instructor.community_id not in (None, community_id):
        raise Forbidden("Your instructor role was granted in another community: publish there.")
    if community_selectors.active_membership(user=user, community_id=community_id) is None:
        raise Forbidden("Only active members of a community can publish classes in it.")
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
    community_id: int | None = None,
) -> FitnessClass:
    """Publish a class, in the global catalogue or in ``community_id``; a live class also gets
    its occurrences for the next four weeks."""
    instructor = _instructor_of(user, community_id)
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
        problems |= _live_schedule_problems(
            capacity=capacity, first_start_local=first_start_local, schedule_rrule=schedule_rrule
        )
    if problems:
        raise ValidationFailed("The class could not be published.", fields=problems)
    with transaction.atomic():
        fitness_class = FitnessClass.objects.create(
            instructor=instructor,
            community_id=community_id,
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


def _live_schedule_problems(
    *, capacity: int | None, first_start_local: dt.datetime | None, schedule_rrule: str
) -> dict[str, list[str]]:
    """What a live class lacks to be scheduled: a capacity, a local first start, a valid rule."""
    problems: dict[str, list[str]] = {}
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
    return problems


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
