"""Writes for communities, challenges and progress (by sub-domain), re-exported by name."""

from challenges.leaderboards import LeaderboardsUnavailable, leaderboards_rebuild
from challenges.services.challenges import (
    challenge_announce,
    challenge_create,
    challenge_join,
    challenge_leave,
    team_create,
)
from challenges.services.communities import (
    ORGANIZER_ROLE,
    community_create,
    community_join,
    community_leave,
    membership_approve,
    membership_set_role,
    organizer_remove,
    organizer_unverify,
    organizer_verify,
)
from challenges.services.progress import (
    contribution_review,
    participant_remove,
    workouts_scored_apply,
)
from wellness.workouts.sports import SPORTS

__all__ = [
    "ORGANIZER_ROLE",
    "SPORTS",
    "LeaderboardsUnavailable",
    "challenge_announce",
    "challenge_create",
    "challenge_join",
    "challenge_leave",
    "community_create",
    "community_join",
    "community_leave",
    "contribution_review",
    "leaderboards_rebuild",
    "membership_approve",
    "membership_set_role",
    "organizer_remove",
    "organizer_unverify",
    "organizer_verify",
    "participant_remove",
    "team_create",
    "workouts_scored_apply",
]
