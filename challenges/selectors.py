"""Reads: what a person may see of communities and challenges, leaderboards, badges and streaks.

Visibility: a private community (and every challenge in it) is a 404 to anyone who is not an active
member; organizer-only actions are a 403 to those who can see the community but do not run it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from challenges import leaderboards, streaks
from challenges.badges import BADGES
from challenges.goals import goal_for
from challenges.models import (
    BadgeAward,
    Challenge,
    Community,
    CommunityVisibility,
    Contribution,
    ContributionStatus,
    Membership,
    MembershipStatus,
    OrganizerVerification,
    Participant,
    ParticipantStatus,
    Role,
    Streak,
    StreakKind,
    Team,
)
from wellness.core.errors import Forbidden, NotFound
from wellness.people.models import Profile, User
from wellness.people.selectors import public_name

ORGANIZER_ROLES = (Role.OWNER, Role.ORGANIZER)


def active_membership(*, user: User, community_id: int) -> Membership | None:
    return Membership.objects.filter(
        community_id=community_id, user=user, status=MembershipStatus.ACTIVE
    ).first()


def active_member_count(*, community_id: int) -> int:
    return Membership.objects.filter(
        community_id=community_id, status=MembershipStatus.ACTIVE
    ).count()


def organizer_verified(*, user: User) -> bool:
    """Whether an administrator has verified this person as an organizer."""
    return OrganizerVerification.objects.filter(user=user).exists()


def communities_listed(*, user: User) -> QuerySet[Community]:
    """Public communities and every community the person belongs to."""
    mine = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    return Community.objects.filter(
        Q(visibility=CommunityVisibility.PUBLIC) | Q(pk__in=mine)
    ).distinct()


def community_visible(*, user: User, community_id: int) -> Community:
    community = Community.objects.filter(pk=community_id).first()
    if community is None or (
        community.visibility == CommunityVisibility.PRIVATE
        and active_membership(user=user, community_id=community_id) is None
    ):
        raise NotFound("No such community.")
    return community


def community_for_organizer(*, user: User, community_id: int) -> Community:
    community = community_visible(user=user, community_id=community_id)
    membership = active_membership(user=user, community_id=community_id)
    if membership is None or membership.role not in ORGANIZER_ROLES:
        raise Forbidden("Only the community's owner and organizers may do this.")
    return community


def community_members(*, user: User, community_id: int) -> tuple[QuerySet[Membership], bool]:
    """The roster and whether the viewer runs the community.

    Organizers (who approve and manage) see every membership; anyone else sees the active members
    only, and the API shows them public names alone (no account ids).
    """
    community_visible(user=user, community_id=community_id)
    membership = active_membership(user=user, community_id=community_id)
    organizer = membership is not None and membership.role in ORGANIZER_ROLES
    members = Membership.objects.filter(community_id=community_id)
    if not organizer:
        members = members.filter(status=MembershipStatus.ACTIVE)
    return members.select_related("user__profile").order_by("joined_at", "id"), organizer


def challenges_listed(*, user: User) -> QuerySet[Challenge]:
    mine = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    return Challenge.objects.filter(
        Q(community__isnull=True)
        | Q(community__visibility=CommunityVisibility.PUBLIC)
        | Q(community_id__in=mine)
    ).distinct()


def challenge_visible(*, user: User, challenge_id: int) -> Challenge:
    challenge = Challenge.objects.select_related("community").filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound("No such challenge.")
    if challenge.community_id is not None:
        community_visible(user=user, community_id=challenge.community_id)
    return challenge


def challenge_is_organizer(*, user: User, challenge: Challenge) -> bool:
    """From the current role, at each action: a community challenge's creator who was demoted or
    left is no longer its organizer; a personal challenge's creator always is."""
    if challenge.community_id is None:
        return challenge.created_by_id == user.pk
    membership = active_membership(user=user, community_id=challenge.community_id)
    return membership is not None and membership.role in ORGANIZER_ROLES


def challenge_for_organizer(*, user: User, challenge_id: int) -> Challenge:
    challenge = challenge_visible(user=user, challenge_id=challenge_id)
    if not challenge_is_organizer(user=user, challenge=challenge):
        raise Forbidden("Only the challenge's organizers may do this.")
    return challenge


def challenge_starts_at(challenge: Challenge) -> dt.datetime:
    return dt.datetime.combine(
        challenge.starts_on, dt.time.min, tzinfo=ZoneInfo(challenge.time_zone)
    )


def user_zone(user_id: int) -> ZoneInfo:
    name = Profile.objects.filter(user_id=user_id).values_list("time_zone", flat=True).first()
    return ZoneInfo(name or "UTC")


def age_group(age: int | None) -> str:
    if age is None:
        return ""
    for upper, label in ((30, "13-29"), (40, "30-39"), (50, "40-49"), (60, "50-59")):
        if age < upper:
            return label
    return "60+"


def pending_contributions(*, user: User, challenge_id: int) -> QuerySet[Contribution]:
    challenge_for_organizer(user=user, challenge_id=challenge_id)
    return Contribution.objects.filter(
        participant__challenge_id=challenge_id, status=ContributionStatus.PENDING
    ).select_related("participant__user__profile")


def contributions_read(contributions: Iterable[Contribution]) -> dict[int, str]:
    """What an organizer reading these contributions sees of each person, for the access log."""
    workouts: dict[int, list[str]] = {}
    for contribution in contributions:
        workouts.setdefault(contribution.participant.user_id, []).append(
            str(contribution.workout_id)
        )
    return {
        user_id: f"workout {', '.join(ids)} (amount and plausibility flags)"
        if len(ids) == 1
        else f"workouts {', '.join(ids)} (amounts and plausibility flags)"
        for user_id, ids in workouts.items()
    }


# --- Leaderboards ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    rank: int
    participant_id: int
    name: str
    progress: float  # in the goal's display unit
    is_me: bool


@dataclass(frozen=True)
class Board:
    unit: str
    top: list[Entry]
    around_me: list[Entry]
    my_rank: int | None


def _db_board(
    scope: QuerySet[Participant], me: int | None, *, top: int, neighbours: int
) -> tuple[leaderboards.Ranked, leaderboards.Ranked]:
    """The database path: COUNT for ranks, the (challenge, status, -score) index for order."""

    def rank_of(score: int) -> int:
        return scope.filter(score__gt=score).count() + 1

    def ranked(rows: list[tuple[int, int]]) -> leaderboards.Ranked:
        out: leaderboards.Ranked = []
        for pk, score in rows:
            rank = out[-1][0] if out and out[-1][2] == score else rank_of(score)
            out.append((rank, pk, score))
        return out

    ordered = scope.order_by("-score", "-pk")
    top_rows = ordered.values_list("pk", "score")[:top]
    top_ranked: leaderboards.Ranked = []
    for position, (pk, score) in enumerate(top_rows):
        rank = top_ranked[-1][0] if top_ranked and top_ranked[-1][2] == score else position + 1
        top_ranked.append((rank, pk, score))
    mine = scope.filter(pk=me).values_list("score", flat=True).first() if me else None
    if me is None or mine is None:
        return top_ranked, []
    above = list(
        scope.filter(Q(score__gt=mine) | Q(score=mine, pk__gt=me))
        .order_by("score", "pk")
        .values_list("pk", "score")[:neighbours]
    )
    below = list(
        scope.filter(Q(score__lt=mine) | Q(score=mine, pk__lt=me))
        .order_by("-score", "-pk")
        .values_list("pk", "score")[:neighbours]
    )
    return top_ranked, ranked([*reversed(above), (me, mine), *below])


# The two queries of the leaderboard read path are hand-written SQL: at one million participants
# the Redis part takes well under a millisecond and the ORM's query building would dominate.
def _board_challenge(*, user_id: int, challenge_id: int) -> tuple[str, Any, int | None] | None:
    """(goal type, goal parameters, caller's active participant id) if the caller may see it."""
    sql = f"""
        SELECT c.goal_type, c.goal_params, (
            SELECT p.id FROM {Participant._meta.db_table} p
            WHERE p.challenge_id = c.id AND p.user_id = %s AND p.status = %s)
        FROM {Challenge._meta.db_table} c
        LEFT JOIN {Community._meta.db_table} m ON m.id = c.community_id
        WHERE c.id = %s AND (c.community_id IS NULL OR m.visibility <> %s OR EXISTS (
            SELECT 1 FROM {Membership._meta.db_table} ms
            WHERE ms.community_id = c.community_id AND ms.user_id = %s AND ms.status = %s))
    """
    params: list[int | str] = [
        user_id,
        ParticipantStatus.ACTIVE.value,
        challenge_id,
        CommunityVisibility.PRIVATE.value,
        user_id,
        MembershipStatus.ACTIVE.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    goal_params = json.loads(row[1]) if isinstance(row[1], str) else row[1]
    return row[0], goal_params, row[2]


def _board_names(ids: set[int]) -> dict[int, tuple[str, str, str, int]]:
    """participant id -> (visibility, pseudonym, display name, user id), for ``public_name``."""
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT p.id, pr.visibility, pr.pseudonym, pr.display_name, p.user_id
        FROM {Participant._meta.db_table} p
        JOIN {Profile._meta.db_table} pr ON pr.user_id = p.user_id
        WHERE p.id IN ({placeholders})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in cursor.fetchall()}


def leaderboard(
    *,
    user: User,
    challenge_id: int,
    top: int = 20,
    neighbours: int = 2,
    team_id: int | None = None,
    age_group: str = "",
) -> Board:
    """Top ``top`` and the caller's rank with ``neighbours`` either side, optionally in one team or
    one opt-in age group. Names are ``public_name`` only: never an account name, id or link."""
    challenge_row = _board_challenge(user_id=user.pk, challenge_id=challenge_id)
    if challenge_row is None:
        raise NotFound("No such challenge.")
    goal_type, goal_params, me = challenge_row
    if leaderboards.redis_enabled():
        if team_id is not None:
            key = leaderboards.key_team(challenge_id, team_id)
        elif age_group:
            key = leaderboards.key_age(challenge_id, age_group)
        else:
            key = leaderboards.key_all(challenge_id)
        top_rows, window = leaderboards.redis_board(key, me, top=top, neighbours=neighbours)
    else:
        scope = Participant.objects.filter(
            challenge_id=challenge_id, status=ParticipantStatus.ACTIVE
        )
        if team_id is not None:
            scope = scope.filter(team_id=team_id)
        if age_group:
            scope = scope.filter(age_group=age_group)
        top_rows, window = _db_board(scope, me, top=top, neighbours=neighbours)
    ids = {pk for _, pk, _ in top_rows} | {pk for _, pk, _ in window}
    profiles = _board_names(ids)
    goal = goal_for(goal_type, goal_params)

    def entries(rows: leaderboards.Ranked) -> list[Entry]:
        out = []
        for rank, pk, score in rows:
            visibility, pseudonym, display_name, user_id = profiles[pk]
            name = public_name(
                Profile(
                    user_id=user_id,
                    visibility=visibility,
                    pseudonym=pseudonym,
                    display_name=display_name,
                )
            )
            progress = leaderboards.progress_of(score) / goal.scale
            out.append(Entry(rank, pk, name, progress, pk == me))
        return out

    around = entries(window)
    my_rank = next((entry.rank for entry in around if entry.is_me), None)
    return Board(goal.unit, entries(top_rows), around, my_rank)


@dataclass(frozen=True)
class TeamEntry:
    rank: int
    team_id: int
    name: str
    progress: float


def team_leaderboard(*, user: User, challenge_id: int, top: int = 20) -> list[TeamEntry]:
    challenge = challenge_visible(user=user, challenge_id=challenge_id)
    goal = goal_for(challenge.goal_type, challenge.goal_params)
    if leaderboards.redis_enabled():
        rows, _ = leaderboards.redis_board(
            leaderboards.key_teams(challenge.pk), None, top=top, neighbours=0
        )
    else:
        rows = []
        for position, (pk, score) in enumerate(
            Team.objects.filter(challenge=challenge)
            .order_by("-score", "-pk")[:top]
            .values_list("pk", "score")
        ):
            rank = rows[-1][0] if rows and rows[-1][2] == score else position + 1
            rows.append((rank, pk, score))
    names = dict(Team.objects.filter(pk__in=[pk for _, pk, _ in rows]).values_list("pk", "name"))
    return [
        TeamEntry(rank, pk, names[pk], leaderboards.progress_of(score) / goal.scale)
        for rank, pk, score in rows
    ]


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    """A text cell a spreadsheet would read as a formula, quoted so it reads as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def results_csv(*, user: User, challenge_id: int) -> str:
    """Every participant, best first, under their public name only."""
    challenge = challenge_for_organizer(user=user, challenge_id=challenge_id)
    goal = goal_for(challenge.goal_type, challenge.goal_params)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "name", "team", f"progress_{goal.unit}", "completed_at", "status"])
    rows = (
        Participant.objects.filter(challenge=challenge)
        .select_related("user__profile", "team")
        .order_by("-score", "-pk")
    )
    rank, previous = 0, None
    for position, participant in enumerate(rows, start=1):
        if participant.score != previous:
            rank, previous = position, participant.score
        row = [
            rank,
            public_name(participant.user.profile),
            participant.team.name if participant.team else "",
            participant.progress / goal.scale,
            participant.completed_at.isoformat() if participant.completed_at else "",
            participant.status,
        ]
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


# --- Badges and streaks ------------------------------------------------------------------------
def badges_of(*, user: User) -> list[dict[str, object]]:
    return [
        {
            "badge": award.badge,
            "title": BADGES[award.badge].title if award.badge in BADGES else award.badge,
            "tier": award.tier,
            "awarded_at": award.awarded_at,
        }
        for award in BadgeAward.objects.filter(user=user)
    ]


def streaks_of(*, user: User) -> list[dict[str, object]]:
    today = timezone.now().astimezone(user_zone(user.pk)).date()
    stored = {s.kind: s for s in Streak.objects.filter(user=user)}
    out = []
    for kind in StreakKind.values:
        row = stored.get(kind)
        state = (
            streaks.StreakState(row.current, row.longest, row.last_period)
            if row
            else streaks.StreakState()
        )
        period = (
            streaks.week_period(today) if kind == StreakKind.WEEKLY else streaks.day_period(today)
        )
        out.append(
            {
                "kind": kind,
                "current": streaks.streak_current(state, period),
                "longest": state.longest,
            }
        )
    return out
