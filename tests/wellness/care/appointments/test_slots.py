"""The pure slot computation: recurring windows in the clinician's zone, slots with buffers,
busy times taken out, and the same local opening on either side of a daylight-saving change."""

from __future__ import annotations

import datetime as dt

from wellness.care.appointments.slots import AvailabilityRule, free_slots, rule_problems, rule_slots

UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def mondays_in(zone: str, first: dt.datetime) -> AvailabilityRule:
    """Mondays from 09:00 local for an hour: 20-minute slots 10 minutes apart (09:00, 09:30)."""
    return AvailabilityRule(
        first_start_local=first,
        time_zone=zone,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        window_minutes=60,
        slot_minutes=20,
        buffer_minutes=10,
    )


def test_a_berlin_rule_opens_at_nine_local_on_both_sides_of_the_spring_change() -> None:
    # Europe/Berlin moves from CET (UTC+1) to CEST (UTC+2) on Sunday 29 March 2026.
    rule = mondays_in("Europe/Berlin", dt.datetime(2026, 3, 16, 9, 0))  # noqa: DTZ001

    slots = rule_slots(rule, start=at(2026, 3, 20), end=at(2026, 4, 1))

    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (at(2026, 3, 23, 8, 0), at(2026, 3, 23, 8, 20)),  # 09:00 CET
        (at(2026, 3, 23, 8, 30), at(2026, 3, 23, 8, 50)),
        (at(2026, 3, 30, 7, 0), at(2026, 3, 30, 7, 20)),  # 09:00 CEST
        (at(2026, 3, 30, 7, 30), at(2026, 3, 30, 7, 50)),
    ]


def test_a_new_york_rule_keeps_its_local_time_across_the_autumn_change() -> None:
    # America/New_York falls back from EDT (UTC-4) to EST (UTC-5) on Sunday 1 November 2026.
    rule = mondays_in("America/New_York", dt.datetime(2026, 10, 26, 9, 0))  # noqa: DTZ001

    starts = [s.starts_at for s in rule_slots(rule, start=at(2026, 10, 26), end=at(2026, 11, 3))]

    assert starts == [
        at(2026, 10, 26, 13, 0), at(2026, 10, 26, 13, 30),
        at(2026, 11, 2, 14, 0), at(2026, 11, 2, 14, 30),
    ]  # fmt: skip


def test_a_window_over_the_night_of_the_change_has_slots_an_elapsed_hour_apart() -> None:
    # Saturday 28 March 2026 from 23:00 Berlin for four hours: the clocks skip 02:00-03:00.
    rule = AvailabilityRule(
        first_start_local=dt.datetime(2026, 3, 28, 23, 0),  # noqa: DTZ001
        time_zone="Europe/Berlin",
        rrule="",
        window_minutes=240,
        slot_minutes=60,
        buffer_minutes=0,
    )

    starts = [s.starts_at for s in rule_slots(rule, start=at(2026, 3, 28), end=at(2026, 3, 30))]

    assert starts == [
        at(2026, 3, 28, 22),
        at(2026, 3, 28, 23),
        at(2026, 3, 29, 0),
        at(2026, 3, 29, 1),
    ]


def test_busy_times_and_slots_overlapping_them_are_not_free() -> None:
    rule = mondays_in("UTC", dt.datetime(2026, 3, 16, 9, 0))  # noqa: DTZ001

    free = free_slots(
        [rule, rule],  # the same slot from two rules is offered once
        start=at(2026, 3, 16),
        end=at(2026, 3, 17),
        busy=[(at(2026, 3, 16, 9, 15), at(2026, 3, 16, 9, 25))],
    )

    assert [s.starts_at for s in free] == [at(2026, 3, 16, 9, 30)]


def test_slots_before_the_start_of_the_query_are_left_out() -> None:
    rule = mondays_in("UTC", dt.datetime(2026, 3, 16, 9, 0))  # noqa: DTZ001

    starts = [
        s.starts_at for s in rule_slots(rule, start=at(2026, 3, 16, 9, 10), end=at(2026, 3, 17))
    ]

    assert starts == [at(2026, 3, 16, 9, 30)]


def test_rule_problems_name_each_bad_field() -> None:
    rule = AvailabilityRule(
        first_start_local=at(2026, 3, 16, 9),
        time_zone="Mars/Olympus",
        rrule="EVERY MONDAY",
        window_minutes=10,
        slot_minutes=30,
        buffer_minutes=500,
    )

    assert sorted(rule_problems(rule)) == [
        "buffer_minutes", "first_start_local", "rrule", "time_zone", "window_minutes",
    ]  # fmt: skip
    assert rule_problems(mondays_in("Europe/Berlin", dt.datetime(2026, 3, 16, 9))) == {}  # noqa: DTZ001
