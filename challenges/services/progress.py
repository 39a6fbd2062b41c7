"""Writes for challenge progress: the scoring hand-off, contributions, their review, removals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from challenges import leaderboards, selectors
from challenges.goals import goal_for
from challenges.models import (
    ChallengeMode,
    Contribution,
    ContributionStatus,
    Participant,
    ParticipantStatus,
    Team,
)
from challenges.services.achievements import _badges_award, _personal_apply_many, _totals_add
from wellness.core.errors import Forbidden, NotFound
from wellness.people.models import ConsentPurpose, ConsentRecord, Profile, User
from wellness.scoring.handoff import ScoredWorkout
from wellness.workouts.sports import COMPETITIVE_SPORTS

# Locking order, everywhere: participant rows (by id) before their team row, so concurrent
# hand-offs for members of one team cannot deadlock. Redis leaderboards are written after commit.


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
                # An "all sports" challenge means the competitive ones (rehabilitation opts in).
                if item.sport not in (challenge.sports or COMPETITIVE_SPORTS):
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
    """An organizer other than its owner accepts (counts) or rejects a flagged, pending workout.

    The decision is this challenge's (recorded on the contribution: who, when): the workout's
    score stays flagged, so it counts in no other challenge, journey share or record unless
    their organizers accept it there too.
    """
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
        if participant.user_id == user.pk:
            raise Forbidden("You cannot review your own workout; another organizer can.")
        contribution.status = ContributionStatus.COUNTED if accept else ContributionStatus.REJECTED
        contribution.reviewed_by, contribution.reviewed_at = user, timezone.now()
        contribution.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        if accept and contribution.amount and participant.status == ParticipantStatus.ACTIVE:
            _progress_add(participant, contribution.amount, contribution.ended_at)


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
