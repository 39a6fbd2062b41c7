"""A clinician's bookable slots from their availability rules (pure: no framework).

A rule says when a window of availability opens, in the clinician's local wall-clock time, and
how it repeats (an RFC 5545 rule, read with dateutil as the classes' schedules are): "Mondays and
Thursdays from 09:00 Europe/Berlin for 3 hours, 30-minute slots with 10 minutes between them".
The rule runs in the clinician's zone, so a window opens at 09:00 local on either side of a
daylight-saving change; the slots inside a window are laid out in elapsed time from its opening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

# How far ahead slots are offered, and the most windows one rule yields in a query.
MAX_WINDOWS_PER_RULE = 1_000


@dataclass(frozen=True)
class AvailabilityRule:
    """``first_start_local`` is naive: a wall-clock time in ``time_zone``. An empty ``rrule`` is
    one window only."""

    first_start_local: dt.datetime
    time_zone: str
    rrule: str
    window_minutes: int
    slot_minutes: int
    buffer_minutes: int


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: dt.datetime  # aware, UTC
    ends_at: dt.datetime


def rule_problems(rule: AvailabilityRule) -> dict[str, list[str]]:
    """What makes a rule unusable, per field (empty when it is fine)."""
    problems: dict[str, list[str]] = {}
    if rule.first_start_local.tzinfo is not None:
        problems["first_start_local"] = [
            "Give the local wall-clock time without an offset; time_zone says where."
        ]
    try:
        ZoneInfo(rule.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems["time_zone"] = ["An IANA time zone such as Europe/Berlin."]
    if rule.rrule:
        try:
            rrulestr(rule.rrule, dtstart=dt.datetime(2000, 1, 1))  # noqa: DTZ001
        except (ValueError, TypeError):
            problems["rrule"] = ["An RFC 5545 rule such as FREQ=WEEKLY;BYDAY=MO,TH."]
    if not 5 <= rule.slot_minutes <= 240:
        problems["slot_minutes"] = ["From 5 to 240 minutes."]
    if not 0 <= rule.buffer_minutes <= 120:
        problems["buffer_minutes"] = ["From 0 to 120 minutes."]
    if not rule.slot_minutes <= rule.window_minutes <= 24 * 60:
        problems["window_minutes"] = ["At least one slot long, and at most a day."]
    return problems


def window_starts(rule: AvailabilityRule, *, until: dt.datetime) -> Iterator[dt.datetime]:
    """The aware local starts of the rule's windows, in order, up to ``until`` (aware)."""
    dtstart = rule.first_start_local.replace(tzinfo=ZoneInfo(rule.time_zone))
    if not rule.rrule:
        if dtstart <= until:
            yield dtstart
        return
    for count, start in enumerate(rrulestr(rule.rrule, dtstart=dtstart)):
        if start > until or count >= MAX_WINDOWS_PER_RULE:
            return
        yield start


def rule_slots(rule: AvailabilityRule, *, start: dt.datetime, end: dt.datetime) -> list[Slot]:
    """The rule's slots that begin in ``[start, end)`` (both aware)."""
    slot = dt.timedelta(minutes=rule.slot_minutes)
    step = slot + dt.timedelta(minutes=rule.buffer_minutes)
    window = dt.timedelta(minutes=rule.window_minutes)
    found: list[Slot] = []
    for local in window_starts(rule, until=end):
        opens = local.astimezone(dt.UTC)  # elapsed time from here: one hour is one hour
        if opens + window <= start:
            continue
        at = opens
        while at + slot <= opens + window:
            if start <= at < end:
                found.append(Slot(at, at + slot))
            at += step
    return found


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    return a_start < b_end and b_start < a_end


def free_slots(
    rules: Iterable[AvailabilityRule],
    *,
    start: dt.datetime,
    end: dt.datetime,
    busy: Sequence[tuple[dt.datetime, dt.datetime]],
) -> list[Slot]:
    """The slots of all rules beginning in ``[start, end)`` that overlap no ``busy`` interval,
    once each (two rules may offer the same slot), in order."""
    every = {slot for rule in rules for slot in rule_slots(rule, start=start, end=end)}
    return sorted(
        slot
        for slot in every
        if not any(
            overlaps(slot.starts_at, slot.ends_at, b_start, b_end) for b_start, b_end in busy
        )
    )
