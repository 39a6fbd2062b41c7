"""Writes for challenges, their teams and organizer announcements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import available_timezones

from django.db import IntegrityError, transaction

from challenges import leaderboards, selectors
from challenges.goals import GoalParamsError, goal_for, goal_types
from challenges.models import (
    Challenge,
    ChallengeMode,
    Participant,
    ParticipantStatus,
    Team,
)
from challenges.services.progress import _redis_refresh_on_commit
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.core.transactions import notify_on_commit
from wellness.people.models import Profile, User
from wellness.people.selectors import profile_age_years
from wellness.workouts.sports import SPORTS


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
    errors |= _calendar_problems(starts_on=starts_on, ends_on=ends_on, time_zone=time_zone)
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
    errors |= _teams_problems(mode=mode, teams=teams)
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


def _calendar_problems(
    *, starts_on: dt.date, ends_on: dt.date, time_zone: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if ends_on < starts_on:
        errors["ends_on"] = ["The challenge must end on or after the day it starts."]
    elif (ends_on - starts_on).days + 1 > leaderboards.MAX_CHALLENGE_DAYS:
        errors["ends_on"] = [f"A challenge lasts at most {leaderboards.MAX_CHALLENGE_DAYS} days."]
    if time_zone not in available_timezones():
        errors["time_zone"] = [f"Unknown time zone {time_zone!r}; use an IANA name."]
    return errors


def _teams_problems(*, mode: str, teams: Sequence[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if mode == ChallengeMode.TEAM and not teams:
        errors["teams"] = ["A team challenge needs at least one team."]
    if mode == ChallengeMode.INDIVIDUAL and teams:
        errors["teams"] = ["Only team challenges have teams."]
    if len({name.strip() for name in teams}) != len(teams) or any(not t.strip() for t in teams):
        errors["teams"] = ["Team names must be distinct and not empty."]
    return errors


def challenge_join(
    *, user: User, challenge_id: int, team_id: int | None = None, share_age_group: bool = False
) -> Participant:
    challenge = selectors.challenge_visible(user=user, challenge_id=challenge_id)
    if (
        challenge.community_id is not None
        and selectors.active_membership(user=user, community_id=challenge.community_id) is None
    ):
        raise Forbidden("Join the community first to take part in its challenges.")
    _team_choice_check(challenge=challenge, team_id=team_id)
    group = _age_group_shared(user=user) if share_age_group else ""
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


def _team_choice_check(*, challenge: Challenge, team_id: int | None) -> None:
    """A team challenge is joined in one of its teams, an individual one in none."""
    if challenge.mode == ChallengeMode.TEAM:
        if team_id is None or not Team.objects.filter(pk=team_id, challenge=challenge).exists():
            raise ValidationFailed(
                "Choose one of this challenge's teams.", fields={"team_id": ["No such team."]}
            )
    elif team_id is not None:
        raise ValidationFailed(
            "This is an individual challenge.", fields={"team_id": ["No teams here."]}
        )


def _age_group_shared(*, user: User) -> str:
    group = selectors.age_group(profile_age_years(Profile.objects.get(user=user)))
    if not group:
        raise ValidationFailed(
            "Add your birth year to your profile to appear in an age group.",
            fields={"share_age_group": ["Your profile has no birth year."]},
        )
    return group


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
        notify_on_commit(user_id=user_id, event=event)
    return len(user_ids)
