"""Writes for personal totals, streaks and badges earned from scored workouts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from challenges import streaks as streak_rules
from challenges.badges import BADGES, earned
from challenges.models import (
    ActivityTotals,
    AppliedWorkout,
    BadgeAward,
    Streak,
    StreakKind,
)
from wellness.core.sql import rows_update
from wellness.core.transactions import (
    broadcast_many_on_commit,
    notification,
    notify_on_commit,
)
from wellness.scoring.handoff import ScoredWorkout


def _totals_add(*, user_id: int, **increments: float) -> None:
    ActivityTotals.objects.get_or_create(user_id=user_id)
    ActivityTotals.objects.filter(user_id=user_id).update(
        **{field: F(field) + value for field, value in increments.items()}
    )


def _applied_now(scored: Sequence[ScoredWorkout]) -> set[int]:
    """Record these workouts in the ledger; return the ids not applied before (one statement)."""
    table = AppliedWorkout._meta.db_table
    now = timezone.now()
    params: list[Any]
    if connection.vendor == "postgresql":
        # Two array parameters rather than three placeholders a workout, which psycopg's
        # client-side binding would parse and quote one by one (~10 ms for a 500-workout chunk).
        rows = "SELECT v.u, v.w, %s FROM unnest(%s::bigint[], %s::bigint[]) AS v(u, w)"
        params = [now, [i.user_id for i in scored], [i.workout_id for i in scored]]
    else:
        rows = "VALUES " + ", ".join(["(%s, %s, %s)"] * len(scored))
        params = [value for i in scored for value in (i.user_id, i.workout_id, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, workout_id, applied_at) {rows} "
            "ON CONFLICT (workout_id) DO NOTHING RETURNING workout_id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _personal_apply_many(
    *, scored: Sequence[ScoredWorkout], local_dates: dict[int, dt.date]
) -> None:
    """Totals, streaks and badges for the workouts not applied before, once per person.

    A fixed number of statements for the whole chunk, however many people it holds: one upsert of
    the totals, one of the missing streak rows, one locked read and one write of the streaks, one
    read of the badges held and one insert of those newly earned (announced in one broadcast).
    """
    if not scored:
        return
    new = _applied_now(scored)
    by_user: dict[int, list[ScoredWorkout]] = {}
    for item in scored:
        if item.workout_id in new:
            by_user.setdefault(item.user_id, []).append(item)
    if not by_user:
        return
    users = sorted(by_user)
    totals = _totals_add_many(
        {
            user_id: (
                len(items),
                sum(i.distance_m for i in items),
                sum(i.zone3_plus_minutes for i in items),
                sum(i.mindful_minutes for i in items),
            )
            for user_id, items in sorted(by_user.items())
        }
    )
    advances: dict[tuple[int, str], list[int]] = {}
    for user_id in users:
        items = by_user[user_id]
        dates = [local_dates[i.workout_id] for i in items]
        advances[(user_id, StreakKind.DAILY)] = [streak_rules.day_period(d) for d in dates]
        advances[(user_id, StreakKind.WEEKLY)] = [streak_rules.week_period(d) for d in dates]
        yoga = [
            streak_rules.day_period(local_dates[i.workout_id])
            for i in items
            if i.sport == "yoga" or i.mindful_minutes > 0
        ]
        if yoga:
            advances[(user_id, StreakKind.YOGA_DAILY)] = yoga
    longest = _streaks_advance_many(users=users, advances=advances)
    _badges_award_many(
        {
            user_id: {
                "workouts": totals[user_id][0],
                "distance_km": totals[user_id][1] / 1000,
                "zone3_minutes": totals[user_id][2],
                "challenges_completed": totals[user_id][3],
                "yoga_streak_longest": longest.get((user_id, StreakKind.YOGA_DAILY), 0),
            }
            for user_id in users
        }
    )


def _totals_add_many(
    increments: dict[int, tuple[int, float, float, float]],
) -> dict[int, tuple[int, float, float, int]]:
    """Add (workouts, distance_m, zone3_minutes, mindful_minutes) to each person's totals in one
    upsert; return each one's totals after it (workouts, distance_m, zone3_minutes,
    challenges_completed)."""
    quote = connection.ops.quote_name
    table = quote(ActivityTotals._meta.db_table)
    added = ("workouts", "distance_m", "zone3_minutes", "mindful_minutes")
    columns = ", ".join(quote(c) for c in ("user_id", *added, "challenges_completed"))
    rows = ", ".join(["(%s, %s, %s, %s, %s, 0)"] * len(increments))
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in added)
    params = [value for user_id, values in increments.items() for value in (user_id, *values)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {rows} "
            f"ON CONFLICT ({quote('user_id')}) DO UPDATE SET {updates} "
            f"RETURNING {quote('user_id')}, {quote('workouts')}, {quote('distance_m')}, "
            f"{quote('zone3_minutes')}, {quote('challenges_completed')}",
            params,
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _streaks_advance_many(
    *, users: Sequence[int], advances: dict[tuple[int, str], list[int]]
) -> dict[tuple[int, str], int]:
    """Advance each (user, kind) streak by its periods in order; return the longest of every streak
    of these users (advanced or not). Rows are locked in (user, kind) order, the order one person's
    streaks were always locked in, with one locked read and one write for the chunk."""
    quote = connection.ops.quote_name
    table = quote(Streak._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('user_id')}, {quote('kind')}, {quote('current')}, "
            f"{quote('longest')}, {quote('last_period')}) "
            f"VALUES {', '.join(['(%s, %s, 0, 0, NULL)'] * len(advances))} "
            f"ON CONFLICT ({quote('user_id')}, {quote('kind')}) DO NOTHING",
            [value for key in advances for value in key],
        )
    rows = list(
        Streak.objects.select_for_update()
        .filter(user_id__in=users)
        .order_by("user_id", "kind")
        .values_list("pk", "user_id", "kind", "current", "longest", "last_period")
    )
    longest: dict[tuple[int, str], int] = {}
    changed: list[tuple[int, int, int, int | None]] = []
    for pk, user_id, kind, current, best, last in rows:
        periods = advances.get((user_id, kind))
        if periods:
            state = streak_rules.StreakState(current, best, last)
            for period in periods:
                state = streak_rules.streak_advance(state, period)
            changed.append((pk, state.current, state.longest, state.last_period))
            best = state.longest
        longest[(user_id, kind)] = best
    rows_update(
        Streak,
        key="id",
        fields=("current", "longest", "last_period"),
        sql_type="INTEGER",
        rows=changed,
    )
    return longest


def _badges_award_many(values: dict[int, dict[str, float]]) -> None:
    """Award each person every tier now earned and not yet held (the unique constraint makes it
    once only), in one read and one insert; the new awards are announced after the commit."""
    held = set(
        BadgeAward.objects.filter(user_id__in=list(values)).values_list("user_id", "badge", "tier")
    )
    candidates = [
        (user_id, code, tier)
        for user_id in sorted(values)
        for code, tier in earned(values[user_id])
        if (user_id, code, tier) not in held
    ]
    if not candidates:
        return
    quote = connection.ops.quote_name
    table = quote(BadgeAward._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('user_id')}, {quote('badge')}, {quote('tier')}, "
            f"{quote('awarded_at')}) VALUES {', '.join(['(%s, %s, %s, %s)'] * len(candidates))} "
            f"ON CONFLICT ({quote('user_id')}, {quote('badge')}, {quote('tier')}) DO NOTHING "
            f"RETURNING {quote('user_id')}, {quote('badge')}, {quote('tier')}",
            [value for candidate in candidates for value in (*candidate, now)],
        )
        created = {tuple(row) for row in cursor.fetchall()}
    announcements = []
    for user_id, code, tier in candidates:
        if (user_id, code, tier) in created:
            event = {"kind": "badge", "badge": code, "tier": tier, "title": BADGES[code].title}
            announcements.append(notification(user_id, event))
    broadcast_many_on_commit(announcements)


def _badges_award(*, user_id: int) -> list[tuple[str, int]]:
    """Award every tier now earned and not yet held; the unique constraint makes it once only."""
    totals = ActivityTotals.objects.filter(user_id=user_id).first()
    yoga = Streak.objects.filter(user_id=user_id, kind=StreakKind.YOGA_DAILY).first()
    values = {
        "workouts": totals.workouts if totals else 0,
        "distance_km": (totals.distance_m if totals else 0) / 1000,
        "zone3_minutes": totals.zone3_minutes if totals else 0,
        "challenges_completed": totals.challenges_completed if totals else 0,
        "yoga_streak_longest": yoga.longest if yoga else 0,
    }
    held = set(BadgeAward.objects.filter(user_id=user_id).values_list("badge", "tier"))
    new = []
    for code, tier in earned(values):
        if (code, tier) in held:
            continue
        _, created = BadgeAward.objects.get_or_create(user_id=user_id, badge=code, tier=tier)
        if created:
            new.append((code, tier))
            event = {"kind": "badge", "badge": code, "tier": tier, "title": BADGES[code].title}
            notify_on_commit(user_id=user_id, event=event)
    return new
