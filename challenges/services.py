"""Writes for communities, challenges, progress, badges and streaks. Keyword-only, typed.

Locking order, everywhere: participant rows (by id) before their team row, so concurrent hand-offs
for members of one team cannot deadlock. Redis leaderboards are written after commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from challenges import leaderboards, selectors
from challenges import streaks as streak_rules
from challenges.badges import BADGES, earned
from challenges.goals import GoalParamsError, goal_for, goal_types
from challenges.models import (
    ActivityTotals,
    AppliedWorkout,
    BadgeAward,
    Challenge,
    ChallengeMode,
    Community,
    CommunityVisibility,
    Contribution,
    ContributionStatus,
    JoinPolicy,
    Membership,
    MembershipStatus,
    Participant,
    ParticipantStatus,
    Role,
    Streak,
    StreakKind,
    Team,
)
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.core.groups import user_group
from wellness.core.sql import rows_update
from wellness.core.transactions import broadcast_many_on_commit, broadcast_on_commit
from wellness.people.models import ConsentPurpose, ConsentRecord, Profile, User
from wellness.people.selectors import profile_age_years
from wellness.scoring.handoff import ScoredWorkout
from wellness.scoring.pipeline import workout_score_accept

SPORTS = ("run", "ride", "walk", "yoga", "other")


# --- Communities -------------------------------------------------------------------------------
def community_create(
    *,
    user: User,
    name: str,
    description: str = "",
    visibility: str = CommunityVisibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
) -> Community:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the community a name."]
    if visibility not in CommunityVisibility.values:
        errors["visibility"] = [f"Choose one of {', '.join(CommunityVisibility.values)}."]
    if join_policy not in JoinPolicy.values:
        errors["join_policy"] = [f"Choose one of {', '.join(JoinPolicy.values)}."]
    if errors:
        raise ValidationFailed("The community could not be created.", fields=errors)
    with transaction.atomic():
        community = Community.objects.create(
            name=name[:80],
            description=description,
            visibility=visibility,
            join_policy=join_policy,
            invite_code=secrets.token_urlsafe(16),
            created_by=user,
        )
        Membership.objects.create(community=community, user=user, role=Role.OWNER)
    return community


def community_join(*, user: User, community_id: int, invite_code: str = "") -> Membership:
    """Open communities admit at once, approval ones queue a request, invitation ones need the code.
    A valid invitation code admits to any community, even a private one nobody can see."""
    community = Community.objects.filter(pk=community_id).first()
    invited = community is not None and bool(invite_code) and invite_code == community.invite_code
    if not invited:
        community = selectors.community_visible(user=user, community_id=community_id)
    assert community is not None
    if invited or community.join_policy == JoinPolicy.OPEN:
        status = MembershipStatus.ACTIVE
    elif community.join_policy == JoinPolicy.APPROVAL:
        status = MembershipStatus.PENDING
    else:
        raise Forbidden("This community admits members only through its invitation link.")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(community=community, user=user).first()
        )
        if membership is not None and membership.status != MembershipStatus.LEFT:
            raise Conflict(
                "You are already a member of this community."
                if membership.status == MembershipStatus.ACTIVE
                else "Your request to join is already waiting for an organizer."
            )
        if membership is None:
            return Membership.objects.create(community=community, user=user, status=status)
        membership.status, membership.role, membership.joined_at = (
            status,
            Role.MEMBER,
            timezone.now(),
        )
        membership.save(update_fields=["status", "role", "joined_at"])
        return membership


def community_leave(*, user: User, community_id: int) -> None:
    membership = selectors.active_membership(user=user, community_id=community_id)
    if membership is None:
        raise NotFound("You are not a member of this community.")
    if membership.role == Role.OWNER:
        raise ValidationFailed("An owner cannot leave; make someone else owner first.")
    Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.LEFT)


def membership_approve(*, user: User, community_id: int, member_id: int) -> Membership:
    selectors.community_for_organizer(user=user, community_id=community_id)
    updated = Membership.objects.filter(
        community_id=community_id, user_id=member_id, status=MembershipStatus.PENDING
    ).update(status=MembershipStatus.ACTIVE, joined_at=timezone.now())
    if not updated:
        raise NotFound("No such request to join.")
    return Membership.objects.get(community_id=community_id, user_id=member_id)


def membership_set_role(*, user: User, community_id: int, member_id: int, role: str) -> Membership:
    """Only the owner hands out roles; ownership itself is not transferable through this."""
    selectors.community_visible(user=user, community_id=community_id)
    mine = selectors.active_membership(user=user, community_id=community_id)
    if mine is None or mine.role != Role.OWNER:
        raise Forbidden("Only the community's owner may change roles.")
    if role not in (Role.ORGANIZER, Role.MODERATOR, Role.MEMBER):
        raise ValidationFailed(
            "Choose organizer, moderator or member.", fields={"role": ["Not a role one can give."]}
        )
    updated = (
        Membership.objects.filter(
            community_id=community_id, user_id=member_id, status=MembershipStatus.ACTIVE
        )
        .exclude(role=Role.OWNER)
        .update(role=role)
    )
    if not updated:
        raise NotFound("No such member.")
    return Membership.objects.get(community_id=community_id, user_id=member_id)


# --- Challenges --------------------------------------------------------------------------------
def challenge_create(
    *,
    user: User,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    goal_type: str,
    community_id: int | None = None,
    description: str = "",
    time_zone: str = "UTC",
    sports: Sequence[str] = (),
    mode: str = ChallengeMode.INDIVIDUAL,
    goal_params: dict[str, Any] | None = None,
    target: float | None = None,
    teams: Sequence[str] = (),
) -> Challenge:
    """``target`` is in the goal's display unit (km, minutes, ...); stored in its base unit."""
    if community_id is not None:
        selectors.community_for_organizer(user=user, community_id=community_id)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["Give the challenge a title."]
    if ends_on < starts_on:
        errors["ends_on"] = ["The challenge must end on or after the day it starts."]
    elif (ends_on - starts_on).days + 1 > leaderboards.MAX_CHALLENGE_DAYS:
        errors["ends_on"] = [f"A challenge lasts at most {leaderboards.MAX_CHALLENGE_DAYS} days."]
    if time_zone not in available_timezones():
        errors["time_zone"] = [f"Unknown time zone {time_zone!r}; use an IANA name."]
    unknown_sports = sorted(set(sports) - set(SPORTS))
    if unknown_sports:
        errors["sports"] = [
            f"Unknown sport(s) {', '.join(unknown_sports)}; use {', '.join(SPORTS)}."
        ]
    if mode not in ChallengeMode.values:
        errors["mode"] = ["Choose individual or team."]
    goal = None
    try:
        goal = goal_for(goal_type, goal_params)
    except GoalParamsError as exc:
        errors["goal_type" if goal_type not in goal_types() else "goal_params"] = [str(exc)]
    if target is not None and target <= 0:
        errors["target"] = ["A target must be greater than zero (or left out)."]
    if mode == ChallengeMode.TEAM and not teams:
        errors["teams"] = ["A team challenge needs at least one team."]
    if mode == ChallengeMode.INDIVIDUAL and teams:
        errors["teams"] = ["Only team challenges have teams."]
    if len({name.strip() for name in teams}) != len(teams) or any(not t.strip() for t in teams):
        errors["teams"] = ["Team names must be distinct and not empty."]
    if errors or goal is None:
        raise ValidationFailed("The challenge could not be created.", fields=errors)
    with transaction.atomic():
        challenge = Challenge.objects.create(
            community_id=community_id,
            created_by=user,
            title=title.strip()[:120],
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
            time_zone=time_zone,
            sports=sorted(set(sports)),
            mode=mode,
            goal_type=goal_type,
            goal_params=goal.params,
            target=round(target * goal.scale) if target is not None else None,
        )
        Team.objects.bulk_create(Team(challenge=challenge, name=n.strip()[:80]) for n in teams)
    return challenge


def challenge_join(
    *, user: User, challenge_id: int, team_id: int | None = None, share_age_group: bool = False
) -> Participant:
    challenge = selectors.challenge_visible(user=user, challenge_id=challenge_id)
    if (
        challenge.community_id is not None
        and selectors.active_membership(user=user, community_id=challenge.community_id) is None
    ):
        raise Forbidden("Join the community first to take part in its challenges.")
    if challenge.mode == ChallengeMode.TEAM:
        if team_id is None or not Team.objects.filter(pk=team_id, challenge=challenge).exists():
            raise ValidationFailed(
                "Choose one of this challenge's teams.", fields={"team_id": ["No such team."]}
            )
    elif team_id is not None:
        raise ValidationFailed(
            "This is an individual challenge.", fields={"team_id": ["No teams here."]}
        )
    group = ""
    if share_age_group:
        group = selectors.age_group(profile_age_years(Profile.objects.get(user=user)))
        if not group:
            raise ValidationFailed(
                "Add your birth year to your profile to appear in an age group.",
                fields={"share_age_group": ["Your profile has no birth year."]},
            )
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update().filter(challenge=challenge, user=user).first()
        )
        if participant is not None and participant.status == ParticipantStatus.ACTIVE:
            raise Conflict("You are already taking part in this challenge.")
        if participant is not None and participant.status == ParticipantStatus.REMOVED:
            raise Forbidden("An organizer removed you from this challenge.")
        if participant is None:
            try:
                with transaction.atomic():
                    participant = Participant.objects.create(
                        challenge=challenge, user=user, team_id=team_id, age_group=group
                    )
            except IntegrityError:
                raise Conflict("You are already taking part in this challenge.") from None
        else:
            # Rejoining after leaving: the history and progress kept are theirs again.
            participant.status, participant.team_id, participant.age_group = (
                ParticipantStatus.ACTIVE,
                team_id,
                group,
            )
            participant.save(update_fields=["status", "team", "age_group"])
        _redis_refresh_on_commit(participant.pk)
    return participant


def challenge_leave(*, user: User, challenge_id: int) -> None:
    """Leaving keeps the contribution history; the person leaves the leaderboards."""
    challenge = selectors.challenge_visible(user=user, challenge_id=challenge_id)
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .filter(challenge=challenge, user=user, status=ParticipantStatus.ACTIVE)
            .first()
        )
        if participant is None:
            raise NotFound("You are not taking part in this challenge.")
        participant.status = ParticipantStatus.LEFT
        participant.save(update_fields=["status"])
        _redis_refresh_on_commit(participant.pk)


def team_create(*, user: User, challenge_id: int, name: str) -> Team:
    challenge = selectors.challenge_for_organizer(user=user, challenge_id=challenge_id)
    if challenge.mode != ChallengeMode.TEAM:
        raise ValidationFailed("Only team challenges have teams.")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the team.", fields={"name": ["Name the team."]})
    try:
        with transaction.atomic():
            return Team.objects.create(challenge=challenge, name=name[:80])
    except IntegrityError:
        raise Conflict("There is already a team with this name.") from None


# --- Progress ----------------------------------------------------------------------------------
def _redis_refresh_on_commit(participant_id: int) -> None:
    """Put this participant (and team) in Redis exactly as the database has them after commit."""
    if not leaderboards.redis_enabled():
        return

    def refresh() -> None:
        row = (
            Participant.objects.filter(pk=participant_id)
            .values("challenge_id", "team_id", "age_group", "status", "score")
            .first()
        )
        if row is None:
            return
        cid = row["challenge_id"]
        member = leaderboards.member_key(participant_id)
        keys = leaderboards.participant_keys(cid, row["team_id"], row["age_group"])
        # Drop it from every board of this challenge first: team or age group may have changed.
        stale = [
            (k, member)
            for k in leaderboards.client().scan_iter(match=f"{leaderboards.prefix()}:{cid}:*")
        ]
        leaderboards.redis_remove((k.decode(), m) for k, m in stale if not k.endswith(b":teams"))
        placements: list[leaderboards.Placement] = []
        if row["status"] == ParticipantStatus.ACTIVE:
            placements = [(k, member, row["score"]) for k in keys]
        if row["team_id"] is not None:
            team_score = Team.objects.values_list("score", flat=True).get(pk=row["team_id"])
            placements.append(
                (leaderboards.key_teams(cid), leaderboards.member_key(row["team_id"]), team_score)
            )
        leaderboards.redis_write(placements, only_greater=False)

    transaction.on_commit(refresh)


def _progress_add(participant: Participant, amount: int, at: dt.datetime) -> None:
    """Add to a participant (locked by the caller) and their team, and to Redis after commit."""
    challenge = participant.challenge
    starts_at = selectors.challenge_starts_at(challenge)
    progress = participant.progress + amount
    reached_at = max(participant.reached_at, at) if participant.reached_at else at
    score = leaderboards.score_for(progress, reached_at, starts_at)
    completed = (
        challenge.mode == ChallengeMode.INDIVIDUAL
        and challenge.target is not None
        and participant.completed_at is None
        and progress >= challenge.target
    )
    Participant.objects.filter(pk=participant.pk).update(
        progress=F("progress") + amount,
        score=score,
        reached_at=reached_at,
        **({"completed_at": at} if completed else {}),
    )
    placements: list[leaderboards.Placement] = [
        (key, leaderboards.member_key(participant.pk), score)
        for key in leaderboards.participant_keys(
            challenge.pk, participant.team_id, participant.age_group
        )
    ]
    if participant.team_id is not None:
        team = Team.objects.select_for_update().get(pk=participant.team_id)
        team_score = leaderboards.score_for(team.progress + amount, at, starts_at)
        Team.objects.filter(pk=team.pk).update(progress=F("progress") + amount, score=team_score)
        placements.append(
            (leaderboards.key_teams(challenge.pk), leaderboards.member_key(team.pk), team_score)
        )
    if completed:
        _totals_add(user_id=participant.user_id, challenges_completed=1)
        _badges_award(user_id=participant.user_id)
    if leaderboards.redis_enabled():
        transaction.on_commit(lambda: leaderboards.redis_write(placements))


def _participant_recompute(participant_id: int) -> None:
    """Progress from the counted contributions (after a reject, removal or erasure), then the team."""
    participant = (
        Participant.objects.select_for_update().select_related("challenge").get(pk=participant_id)
    )
    counted = participant.contributions.filter(status=ContributionStatus.COUNTED).aggregate(
        total=Sum("amount"), last=Max("ended_at")
    )
    progress = counted["total"] or 0
    starts_at = selectors.challenge_starts_at(participant.challenge)
    score = leaderboards.score_for(progress, counted["last"], starts_at)
    Participant.objects.filter(pk=participant.pk).update(
        progress=progress, score=score, reached_at=counted["last"]
    )
    if participant.team_id is not None:
        _team_recompute(participant.team_id, starts_at)
    _redis_refresh_on_commit(participant.pk)


def _team_recompute(team_id: int, starts_at: dt.datetime) -> None:
    Team.objects.select_for_update().get(pk=team_id)
    members = Participant.objects.filter(team_id=team_id).exclude(status=ParticipantStatus.REMOVED)
    totals = members.aggregate(total=Sum("progress"), last=Max("reached_at"))
    progress = totals["total"] or 0
    Team.objects.filter(pk=team_id).update(
        progress=progress, score=leaderboards.score_for(progress, totals["last"], starts_at)
    )


def workout_scored_apply(*, scored: ScoredWorkout) -> None:
    """The scoring hand-off for one workout: see :func:`workouts_scored_apply`."""
    workouts_scored_apply(scored=[scored])


def workouts_scored_apply(*, scored: Sequence[ScoredWorkout]) -> None:
    """The scoring hand-off: challenge progress, leaderboards, totals, streaks and badges.

    Takes a chunk of scored workouts and reads consent, time zones and participations once per
    chunk; personal totals, streaks and badges change once per person, applied in workout order.
    Idempotent per workout: the ledgers (``AppliedWorkout``, ``Contribution`` unique per
    participant and workout) make a second delivery change nothing. Workouts that do not count for
    leaderboards are held as pending contributions until an organizer accepts them.
    """
    if not scored:
        return
    user_ids = sorted({s.user_id for s in scored})
    consenting = _health_consenting(user_ids)
    todo = [s for s in scored if s.user_id in consenting]
    if not todo:
        return
    zones = dict(Profile.objects.filter(user_id__in=consenting).values_list("user_id", "time_zone"))
    local_dates = {
        s.workout_id: s.started_at.astimezone(ZoneInfo(zones.get(s.user_id) or "UTC")).date()
        for s in todo
    }
    with transaction.atomic():
        by_user: dict[int, list[Participant]] = {}
        for participant in (
            Participant.objects.select_for_update()
            .select_related("challenge")
            .filter(user_id__in=sorted(consenting), status=ParticipantStatus.ACTIVE)
            .order_by("pk")
        ):
            by_user.setdefault(participant.user_id, []).append(participant)
        for item in todo:
            local_date = local_dates[item.workout_id]
            for participant in by_user.get(item.user_id, []):
                challenge = participant.challenge
                if not challenge.starts_on <= local_date <= challenge.ends_on:
                    continue
                if challenge.sports and item.sport not in challenge.sports:
                    continue
                _contribution_add(participant, item, local_date)
        _personal_apply_many(scored=todo, local_dates=local_dates)


def _health_consenting(user_ids: Sequence[int]) -> set[int]:
    """The users among these whose current health-data consent is granted (one query)."""
    latest: dict[int, bool] = {}
    for user_id, granted in (
        ConsentRecord.objects.filter(user_id__in=user_ids, purpose=ConsentPurpose.HEALTH_DATA)
        .order_by("user_id", "-recorded_at", "-id")
        .values_list("user_id", "granted")
    ):
        latest.setdefault(user_id, granted)
    return {user_id for user_id, granted in latest.items() if granted}


def _contribution_add(participant: Participant, scored: ScoredWorkout, local_date: dt.date) -> None:
    goal = goal_for(participant.challenge.goal_type, participant.challenge.goal_params)
    amount = goal.amount(scored)
    if (
        goal.once_per_day
        and participant.contributions.filter(local_date=local_date, amount__gt=0)
        .exclude(status=ContributionStatus.REJECTED)
        .exists()
    ):
        amount = 0
    status = (
        ContributionStatus.COUNTED if scored.counts_for_leaderboards else ContributionStatus.PENDING
    )
    _, created = Contribution.objects.get_or_create(
        participant=participant,
        workout_id=scored.workout_id,
        defaults={
            "amount": amount,
            "local_date": local_date,
            "ended_at": scored.ended_at,
            "status": status,
            "flags": list(scored.flags),
        },
    )
    if created and status == ContributionStatus.COUNTED and amount:
        _progress_add(participant, amount, scored.ended_at)


def contribution_review(
    *, user: User, challenge_id: int, contribution_id: int, accept: bool
) -> None:
    """An organizer accepts (counts) or rejects a flagged, pending workout."""
    selectors.challenge_for_organizer(user=user, challenge_id=challenge_id)
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update()
            .filter(
                pk=contribution_id,
                participant__challenge_id=challenge_id,
                status=ContributionStatus.PENDING,
            )
            .first()
        )
        if contribution is None:
            raise NotFound("No such flagged workout awaiting review.")
        participant = (
            Participant.objects.select_for_update()
            .select_related("challenge")
            .get(pk=contribution.participant_id)
        )
        contribution.status = ContributionStatus.COUNTED if accept else ContributionStatus.REJECTED
        contribution.save(update_fields=["status"])
        if accept and contribution.amount and participant.status == ParticipantStatus.ACTIVE:
            _progress_add(participant, contribution.amount, contribution.ended_at)
        if accept:
            # The workout's stored score counts from now on, and is handed over again (worlds).
            workout_score_accept(workout_id=contribution.workout_id, accepted_by=user)


def participant_remove(*, user: User, challenge_id: int, participant_id: int) -> None:
    selectors.challenge_for_organizer(user=user, challenge_id=challenge_id)
    with transaction.atomic():
        updated = (
            Participant.objects.filter(pk=participant_id, challenge_id=challenge_id)
            .exclude(status=ParticipantStatus.REMOVED)
            .update(status=ParticipantStatus.REMOVED)
        )
        if not updated:
            raise NotFound("No such participant.")
        _participant_recompute(participant_id)


def challenge_announce(*, user: User, challenge_id: int, message: str) -> int:
    """Send a notification to every active participant; returns how many were addressed."""
    challenge = selectors.challenge_for_organizer(user=user, challenge_id=challenge_id)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("Write a message.", fields={"message": ["Write a message."]})
    user_ids = list(
        Participant.objects.filter(
            challenge=challenge, status=ParticipantStatus.ACTIVE
        ).values_list("user_id", flat=True)
    )
    event = {
        "kind": "announcement",
        "challenge_id": challenge.pk,
        "challenge": challenge.title,
        "message": message[:1000],
    }
    for user_id in user_ids:
        broadcast_on_commit(user_group(user_id), {"type": "notify", "event": event})
    return len(user_ids)


# --- Totals, streaks, badges --------------------------------------------------------------------
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
        advances[(user_id, StreakKind.DAILY)] = [d.toordinal() for d in dates]
        advances[(user_id, StreakKind.WEEKLY)] = [streak_rules.week_period(d) for d in dates]
        yoga = [
            local_dates[i.workout_id].toordinal()
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
            announcements.append((user_group(user_id), {"type": "notify", "event": event}))
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
            broadcast_on_commit(user_group(user_id), {"type": "notify", "event": event})
    return new


# --- Privacy -----------------------------------------------------------------------------------
def challenges_health_data_erase(user_id: int) -> None:
    """Erase what workouts told us about this person and recompute their (and teams') progress.
    Idempotent. Memberships and participations stay: they are not health data."""
    with transaction.atomic():
        participant_ids = list(
            Participant.objects.filter(user_id=user_id).order_by("pk").values_list("pk", flat=True)
        )
        Contribution.objects.filter(participant_id__in=participant_ids).delete()
        Participant.objects.filter(pk__in=participant_ids).update(completed_at=None)
        for participant_id in participant_ids:
            _participant_recompute(participant_id)
        AppliedWorkout.objects.filter(user_id=user_id).delete()
        ActivityTotals.objects.filter(user_id=user_id).delete()
        Streak.objects.filter(user_id=user_id).delete()
        BadgeAward.objects.filter(user_id=user_id).delete()


def challenges_export(user: User) -> dict[str, Any]:
    return {
        "participations": [
            {
                "challenge": p.challenge.title,
                "status": p.status,
                "progress": p.progress,
                "contributions": [
                    {"workout_id": c.workout_id, "amount": c.amount, "status": c.status}
                    for c in p.contributions.all()
                ],
            }
            for p in Participant.objects.filter(user=user).select_related("challenge")
        ],
        "badges": [
            {"badge": a.badge, "tier": a.tier, "awarded_at": a.awarded_at.isoformat()}
            for a in BadgeAward.objects.filter(user=user)
        ],
        "streaks": [
            {"kind": s.kind, "current": s.current, "longest": s.longest}
            for s in Streak.objects.filter(user=user)
        ],
    }


# --- Leaderboards ------------------------------------------------------------------------------
class LeaderboardsUnavailable(ValidationFailed):
    code = "leaderboards_unavailable"


def leaderboards_rebuild(
    *, challenge_ids: Sequence[int] | None = None, chunk: int = 10_000
) -> dict[int, int]:
    """Replace each challenge's Redis boards by the database's; returns entries written per board.

    Updates that commit during a rebuild also write to Redis (ZADD GT), so they are not lost.
    """
    if not leaderboards.redis_enabled():
        raise LeaderboardsUnavailable("REDIS_URL is not set: the database serves leaderboards.")
    if challenge_ids is None:
        challenge_ids = list(Challenge.objects.order_by("pk").values_list("pk", flat=True))
    else:
        known = set(Challenge.objects.filter(pk__in=challenge_ids).values_list("pk", flat=True))
        missing = sorted(set(challenge_ids) - known)
        if missing:
            raise NotFound(f"No challenge with id {', '.join(map(str, missing))}.")
    counts = {}
    for challenge_id in challenge_ids:
        leaderboards.redis_clear(challenge_id)
        rows = (
            Participant.objects.filter(challenge_id=challenge_id, status=ParticipantStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", "team_id", "age_group", "score")
            .iterator(chunk_size=chunk)
        )
        batch: list[leaderboards.Placement] = []
        written = 0
        for pk, team_id, group, score in rows:
            for key in leaderboards.participant_keys(challenge_id, team_id, group):
                batch.append((key, leaderboards.member_key(pk), score))
            written += 1
            if len(batch) >= chunk:
                leaderboards.redis_write(batch)
                batch = []
        for team_id, score in Team.objects.filter(challenge_id=challenge_id).values_list(
            "pk", "score"
        ):
            batch.append(
                (leaderboards.key_teams(challenge_id), leaderboards.member_key(team_id), score)
            )
        leaderboards.redis_write(batch)
        counts[challenge_id] = written
    return counts
