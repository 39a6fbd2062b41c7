"""Input validation and output shapes of the challenges API. No domain logic here."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from challenges.goals import GoalParamDescription, GoalTypeDescription, goal_for
from challenges.models import (
    Challenge,
    Community,
    Contribution,
    Membership,
    OrganizerVerification,
    Team,
)
from wellness.people.selectors import public_name


class CommunityInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.CharField(required=False, default="public")
    join_policy = serializers.CharField(required=False, default="open")


class CommunityOutput(serializers.ModelSerializer[Community]):
    class Meta:
        model = Community
        fields = ["id", "name", "description", "visibility", "join_policy", "created_at"]


class JoinCommunityInput(serializers.Serializer[Any]):
    invite_code = serializers.CharField(required=False, allow_blank=True, default="")


class MembershipOutput(serializers.ModelSerializer[Membership]):
    name = serializers.SerializerMethodField()
    user_id = serializers.IntegerField()

    class Meta:
        model = Membership
        fields = ["user_id", "name", "role", "status", "joined_at"]

    def get_name(self, membership: Membership) -> str:
        return public_name(membership.user.profile)


class PublicMemberOutput(serializers.ModelSerializer[Membership]):
    """A member as anyone who does not run the community sees them: a public name and a role."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["name", "role", "joined_at"]

    def get_name(self, membership: Membership) -> str:
        return public_name(membership.user.profile)


class RoleInput(serializers.Serializer[Any]):
    role = serializers.CharField()


class ChallengeInput(serializers.Serializer[Any]):
    community_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_zone = serializers.CharField(required=False, default="UTC")
    sports = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    mode = serializers.CharField(required=False, default="individual")
    goal_type = serializers.CharField()
    goal_params = serializers.DictField(required=False, default=dict)
    target = serializers.FloatField(required=False, allow_null=True, default=None)
    teams = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class TeamOutput(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name"]


class ChallengeOutput(serializers.ModelSerializer[Challenge]):
    teams = TeamOutput(many=True, read_only=True)
    unit = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "community_id",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "time_zone",
            "sports",
            "mode",
            "goal_type",
            "goal_params",
            "target",
            "unit",
            "teams",
        ]

    def get_unit(self, challenge: Challenge) -> str:
        return goal_for(challenge.goal_type, challenge.goal_params).unit

    def get_target(self, challenge: Challenge) -> float | None:
        if challenge.target is None:
            return None
        return challenge.target / goal_for(challenge.goal_type, challenge.goal_params).scale


class JoinChallengeInput(serializers.Serializer[Any]):
    team_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    share_age_group = serializers.BooleanField(required=False, default=False)


class TeamInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)


class LeaderboardQuery(serializers.Serializer[Any]):
    top = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    neighbours = serializers.IntegerField(required=False, default=2, min_value=0, max_value=20)
    team_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    age_group = serializers.ChoiceField(
        choices=["", "13-29", "30-39", "40-49", "50-59", "60+"], required=False, default=""
    )


class EntryOutput(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    participant_id = serializers.IntegerField()
    name = serializers.CharField()
    progress = serializers.FloatField()
    is_me = serializers.BooleanField()


class BoardOutput(serializers.Serializer[Any]):
    unit = serializers.CharField()
    my_rank = serializers.IntegerField(allow_null=True)
    top = EntryOutput(many=True)
    around_me = EntryOutput(many=True)


class TeamEntryOutput(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    team_id = serializers.IntegerField()
    name = serializers.CharField()
    progress = serializers.FloatField()


class PendingOutput(serializers.ModelSerializer[Contribution]):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Contribution
        fields = ["id", "participant_id", "name", "workout_id", "amount", "local_date", "flags"]

    def get_name(self, contribution: Contribution) -> str:
        return public_name(contribution.participant.user.profile)


class AnnounceInput(serializers.Serializer[Any]):
    message = serializers.CharField(max_length=1000)


class BadgeOutput(serializers.Serializer[Any]):
    badge = serializers.CharField()
    title = serializers.CharField()
    tier = serializers.IntegerField()
    awarded_at = serializers.DateTimeField()


class StreakOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    current = serializers.IntegerField()
    longest = serializers.IntegerField()


class GoalParamOutput(serializers.Serializer[GoalParamDescription]):
    name = serializers.CharField()
    # The output key is "label"; DRF takes declared fields out of the class, mypy sees Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    default = serializers.FloatField()
    minimum = serializers.FloatField()


class GoalTypeOutput(serializers.Serializer[GoalTypeDescription]):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    once_per_day = serializers.BooleanField(help_text="at most one unit per local day")
    params = GoalParamOutput(many=True)


class GoalTypeListOutput(serializers.Serializer[dict[str, list[GoalTypeDescription]]]):
    results = GoalTypeOutput(many=True)


class OrganizerVerificationOutput(serializers.ModelSerializer[OrganizerVerification]):
    class Meta:
        model = OrganizerVerification
        fields = ["user_id", "verified_at"]
