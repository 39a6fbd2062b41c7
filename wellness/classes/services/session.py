"""Writes for the live session: the instructor's console, overdue ends and shared heart rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wellness.classes import selectors
from wellness.classes.groups import class_group, class_instructor_group, live_hr_key
from wellness.classes.jobs import ATTENDANCES_COMPLETE_JOB, SESSION_END_OVERDUE_JOB
from wellness.classes.models import (
    ClassOccurrence,
    LiveShare,
    SessionStatus,
)
from wellness.classes.plan import hr_zone
from wellness.classes.services.attendance import MAX_ATTENDANCE_FACTOR
from wellness.core.errors import Conflict, ConsentRequired, Forbidden, NotFound, ValidationFailed
from wellness.core.jobs import job_enqueue_on_commit
from wellness.core.transactions import broadcast_on_commit
from wellness.people.models import AccessorRole, User
from wellness.people.selectors import health_consent_active, profile_max_heart_rate, profile_of
from wellness.people.services import health_data_access_record

# A shared heart rate older than this no longer counts in the class meters.
LIVE_HR_TTL_S = 15
# A class's live heart rate is logged once per sharer and occurrence; a class ends within a day.
LIVE_HR_AUDIT_TTL_S = 24 * 3600
MIN_HR, MAX_HR = 25, 250
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
        occurrence = _session_of_instructor(user=user, occurrence_id=occurrence_id, action=action)
        now = now or timezone.now()
        if occurrence.status == SessionStatus.ENDED:
            raise Conflict("This session has ended.", code="session_ended")
        if action in ("next", "previous", "goto"):
            _session_move(occurrence, action=action, index=index, now=now)
        else:
            _session_transition(occurrence, action=action, now=now)
        _session_changed(occurrence, now=now)
        if action == "start":
            _queue_overdue_end(occurrence, now=now)
    return occurrence


def _session_of_instructor(*, user: User, occurrence_id: int, action: str) -> ClassOccurrence:
    """The occurrence, locked, if this person teaches it and the action is one the console has."""
    occurrence = (
        ClassOccurrence.objects.select_for_update(of=("self",))
        .select_related("fitness_class__instructor")
        .filter(pk=occurrence_id)
        .first()
    )
    if occurrence is None or not selectors.can_join(user=user, occurrence=occurrence):
        raise NotFound("No such class occurrence.")
    if selectors.instructor_user_id(occurrence.fitness_class) != user.pk:
        raise Forbidden("Only the class's instructor can run its session.")
    if action not in SESSION_ACTIONS:
        raise ValidationFailed(
            f"Unknown action; use one of {', '.join(SESSION_ACTIONS)}.",
            fields={"action": [f"One of {', '.join(SESSION_ACTIONS)}."]},
        )
    return occurrence


def _segment_elapsed(occurrence: ClassOccurrence, *, now: dt.datetime) -> float:
    """Seconds spent in the current segment, counting the running stretch up to ``now``."""
    if occurrence.status == SessionStatus.RUNNING and occurrence.running_since is not None:
        return occurrence.segment_elapsed + (now - occurrence.running_since).total_seconds()
    return occurrence.segment_elapsed


def _session_transition(occurrence: ClassOccurrence, *, action: str, now: dt.datetime) -> None:
    """Start, pause, resume or end the session (not yet ended)."""
    status = occurrence.status
    if action == "start":
        if status != SessionStatus.SCHEDULED:
            raise Conflict("The session has already started.", code="session_started")
        occurrence.status, occurrence.running_since = SessionStatus.RUNNING, now
    elif action == "pause":
        if status != SessionStatus.RUNNING:
            raise Conflict("The session is not running.", code="session_not_running")
        occurrence.segment_elapsed = _segment_elapsed(occurrence, now=now)
        occurrence.status, occurrence.running_since = SessionStatus.PAUSED, None
    elif action == "resume":
        if status != SessionStatus.PAUSED:
            raise Conflict("The session is not paused.", code="session_not_paused")
        occurrence.status, occurrence.running_since = SessionStatus.RUNNING, now
    else:
        occurrence.segment_elapsed = _segment_elapsed(occurrence, now=now)
        occurrence.status, occurrence.running_since = SessionStatus.ENDED, None


def _session_move(
    occurrence: ClassOccurrence, *, action: str, index: int | None, now: dt.datetime
) -> None:
    """Go to the next, previous or a given segment of a started session, from its start."""
    if occurrence.status == SessionStatus.SCHEDULED:
        raise Conflict("Start the session first.", code="session_not_started")
    count = len(occurrence.fitness_class.segments)
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
    occurrence.running_since = now if occurrence.status == SessionStatus.RUNNING else None


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
        job_enqueue_on_commit(ATTENDANCES_COMPLETE_JOB, occurrence.pk)


def _session_overdue_at(occurrence: ClassOccurrence) -> dt.datetime | None:
    """When a started session counts as forgotten: its first start plus the longest an
    attendance may last (MAX_ATTENDANCE_FACTOR times the planned length)."""
    starts = [e["t"] for e in occurrence.timeline if e.get("status") == SessionStatus.RUNNING]
    if not starts:
        return None
    allowed = occurrence.fitness_class.duration_seconds * MAX_ATTENDANCE_FACTOR
    return dt.datetime.fromtimestamp(starts[0], tz=dt.UTC) + dt.timedelta(seconds=allowed)


def _queue_overdue_end(occurrence: ClassOccurrence, *, now: dt.datetime) -> None:
    # The task checks the time itself, so a worker that runs it early (or the embedded default,
    # which runs tasks at once) changes nothing.
    eta = _session_overdue_at(occurrence) or now
    job_enqueue_on_commit(SESSION_END_OVERDUE_JOB, occurrence.pk, eta=eta)


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
        LiveShare.objects.select_related("occurrence__fitness_class__instructor__user")
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
    _live_hr_read_record(share=share)
    broadcast_on_commit(
        class_instructor_group(occurrence_id),
        {"type": "class.zone", "sharer": {"id": share.pk, **zone_event}},
    )
    broadcast_on_commit(
        class_group(occurrence_id),
        {"type": "class.meters", "meters": selectors.class_meters_now(occurrence_id=occurrence_id)},
    )


def _live_hr_read_record(*, share: LiveShare) -> None:
    """The instructor receives this sharer's heart rate: logged once per occurrence and choice."""
    instructor = share.occurrence.fitness_class.instructor
    if instructor is None:
        return  # a deleted instructor's class: no one receives the zones
    key = f"classes:hr-audited:{share.occurrence_id}:{share.user_id}:{int(share.show_numbers)}"
    if not cache.add(key, 1, timeout=LIVE_HR_AUDIT_TTL_S):
        return
    health_data_access_record(
        accessor=instructor.user,
        role=AccessorRole.INSTRUCTOR,
        why=f"teaching the class “{share.occurrence.fitness_class.title}”",
        reads={
            share.user_id: "live heart-rate zone and bpm"
            if share.show_numbers
            else "live heart-rate zone"
        },
    )
