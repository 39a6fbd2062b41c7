"""HTTP endpoints for communities, challenges, leaderboards, badges and streaks:
validate, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors, services
from challenges.goals import goal_types_described
from challenges.serializers import (
    AnnounceInput,
    BadgeOutput,
    BoardOutput,
    ChallengeInput,
    ChallengeOutput,
    CommunityInput,
    CommunityOutput,
    GoalTypeListOutput,
    JoinChallengeInput,
    JoinCommunityInput,
    LeaderboardQuery,
    MembershipOutput,
    OrganizerVerificationOutput,
    PendingOutput,
    PublicMemberOutput,
    RoleInput,
    StreakOutput,
    TeamEntryOutput,
    TeamInput,
    TeamOutput,
)
from wellness.core.rest import Pagination
from wellness.people.models import AccessorRole
from wellness.people.permissions import request_user
from wellness.people.services import health_data_access_record


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CommunityListView(APIView):
    @extend_schema(
        request=None, responses=CommunityOutput(many=True), operation_id="communities_list"
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.communities_listed(user=request_user(request)), request, view=self
        )
        return paginator.get_paginated_response(CommunityOutput(page, many=True).data)

    @extend_schema(
        request=CommunityInput, responses=CommunityOutput, operation_id="communities_create"
    )
    def post(self, request: Request) -> Response:
        community = services.community_create(
            user=request_user(request), **_valid(CommunityInput, request.data)
        )
        body = CommunityOutput(community).data | {"invite_code": community.invite_code}
        return Response(body, status=status.HTTP_201_CREATED)


class CommunityDetailView(APIView):
    @extend_schema(request=None, responses=CommunityOutput, operation_id="communities_retrieve")
    def get(self, request: Request, community_id: int) -> Response:
        community = selectors.community_visible(
            user=request_user(request), community_id=community_id
        )
        return Response(CommunityOutput(community).data)


class CommunityInviteView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("InviteCode", {"invite_code": serializers.CharField()}),
        operation_id="communities_invite",
    )
    def get(self, request: Request, community_id: int) -> Response:
        community = selectors.community_for_organizer(
            user=request_user(request), community_id=community_id
        )
        return Response({"invite_code": community.invite_code})


class CommunityJoinView(APIView):
    @extend_schema(
        request=JoinCommunityInput, responses=MembershipOutput, operation_id="communities_join"
    )
    def post(self, request: Request, community_id: int) -> Response:
        membership = services.community_join(
            user=request_user(request),
            community_id=community_id,
            **_valid(JoinCommunityInput, request.data),
        )
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)


class CommunityLeaveView(APIView):
    @extend_schema(request=None, responses={204: None}, operation_id="communities_leave")
    def post(self, request: Request, community_id: int) -> Response:
        services.community_leave(user=request_user(request), community_id=community_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListView(APIView):
    @extend_schema(
        request=None,
        responses=PolymorphicProxySerializer(
            component_name="CommunityMember",
            serializers=[MembershipOutput, PublicMemberOutput],
            resource_type_field_name=None,
        ),
        operation_id="communities_members_list",
        description="Organizers see every membership with account ids and status; anyone else "
        "sees the active members by public name and role only.",
    )
    def get(self, request: Request, community_id: int) -> Response:
        paginator = Pagination()
        members, organizer = selectors.community_members(
            user=request_user(request), community_id=community_id
        )
        page = paginator.paginate_queryset(members, request, view=self)
        output = MembershipOutput if organizer else PublicMemberOutput
        return paginator.get_paginated_response(output(page, many=True).data)


class MemberApproveView(APIView):
    @extend_schema(
        request=None, responses=MembershipOutput, operation_id="communities_members_approve"
    )
    def post(self, request: Request, community_id: int, member_id: int) -> Response:
        membership = services.membership_approve(
            user=request_user(request), community_id=community_id, member_id=member_id
        )
        return Response(MembershipOutput(membership).data)


class MemberRoleView(APIView):
    @extend_schema(
        request=RoleInput, responses=MembershipOutput, operation_id="communities_members_role"
    )
    def put(self, request: Request, community_id: int, member_id: int) -> Response:
        membership = services.membership_set_role(
            user=request_user(request),
            community_id=community_id,
            member_id=member_id,
            **_valid(RoleInput, request.data),
        )
        return Response(MembershipOutput(membership).data)


class OrganizerVerificationView(APIView):
    """Administrators only: verify a community organizer, who may then grant the instructor role
    in a community they organize whatever its size (README, "Instructors")."""

    @extend_schema(
        request=None, responses=OrganizerVerificationOutput, operation_id="organizers_verify"
    )
    def put(self, request: Request, user_id: int) -> Response:
        verification = services.organizer_verify(staff=request_user(request), user_id=user_id)
        return Response(OrganizerVerificationOutput(verification).data)

    @extend_schema(request=None, responses={204: None}, operation_id="organizers_unverify")
    def delete(self, request: Request, user_id: int) -> Response:
        services.organizer_unverify(staff=request_user(request), user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChallengeListView(APIView):
    @extend_schema(
        request=None, responses=ChallengeOutput(many=True), operation_id="challenges_list"
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        challenges = selectors.challenges_listed(user=request_user(request)).prefetch_related(
            "teams"
        )
        page = paginator.paginate_queryset(challenges, request, view=self)
        return paginator.get_paginated_response(ChallengeOutput(page, many=True).data)

    @extend_schema(
        request=ChallengeInput, responses=ChallengeOutput, operation_id="challenges_create"
    )
    def post(self, request: Request) -> Response:
        challenge = services.challenge_create(
            user=request_user(request), **_valid(ChallengeInput, request.data)
        )
        return Response(ChallengeOutput(challenge).data, status=status.HTTP_201_CREATED)


class GoalTypeListView(APIView):
    @extend_schema(request=None, responses=GoalTypeListOutput, operation_id="challenges_goal_types")
    def get(self, request: Request) -> Response:
        """The goal types a challenge can have, with their units and parameters (for forms)."""
        return Response({"results": goal_types_described()})


class ChallengeDetailView(APIView):
    @extend_schema(request=None, responses=ChallengeOutput, operation_id="challenges_retrieve")
    def get(self, request: Request, challenge_id: int) -> Response:
        challenge = selectors.challenge_visible(
            user=request_user(request), challenge_id=challenge_id
        )
        return Response(ChallengeOutput(challenge).data)


class ChallengeJoinView(APIView):
    @extend_schema(
        request=JoinChallengeInput,
        responses=inline_serializer(
            "Joined",
            {
                "participant_id": serializers.IntegerField(),
                "team_id": serializers.IntegerField(allow_null=True),
            },
        ),
        operation_id="challenges_join",
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        participant = services.challenge_join(
            user=request_user(request),
            challenge_id=challenge_id,
            **_valid(JoinChallengeInput, request.data),
        )
        return Response(
            {"participant_id": participant.pk, "team_id": participant.team_id},
            status=status.HTTP_201_CREATED,
        )


class ChallengeLeaveView(APIView):
    @extend_schema(request=None, responses={204: None}, operation_id="challenges_leave")
    def post(self, request: Request, challenge_id: int) -> Response:
        services.challenge_leave(user=request_user(request), challenge_id=challenge_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamCreateView(APIView):
    @extend_schema(request=TeamInput, responses=TeamOutput, operation_id="challenges_teams_create")
    def post(self, request: Request, challenge_id: int) -> Response:
        team = services.team_create(
            user=request_user(request), challenge_id=challenge_id, **_valid(TeamInput, request.data)
        )
        return Response(TeamOutput(team).data, status=status.HTTP_201_CREATED)


class LeaderboardView(APIView):
    @extend_schema(
        request=None,
        responses=BoardOutput,
        operation_id="challenges_leaderboard",
        parameters=[LeaderboardQuery],
    )
    def get(self, request: Request, challenge_id: int) -> Response:
        board = selectors.leaderboard(
            user=request_user(request),
            challenge_id=challenge_id,
            **_valid(LeaderboardQuery, request.query_params),
        )
        return Response(BoardOutput(board).data)


class TeamLeaderboardView(APIView):
    @extend_schema(
        request=None,
        responses=TeamEntryOutput(many=True),
        operation_id="challenges_leaderboard_teams",
    )
    def get(self, request: Request, challenge_id: int) -> Response:
        rows = selectors.team_leaderboard(user=request_user(request), challenge_id=challenge_id)
        return Response({"results": TeamEntryOutput(rows, many=True).data})


class PendingListView(APIView):
    @extend_schema(
        request=None, responses=PendingOutput(many=True), operation_id="challenges_pending_list"
    )
    def get(self, request: Request, challenge_id: int) -> Response:
        paginator = Pagination()
        user = request_user(request)
        pending = selectors.pending_contributions(user=user, challenge_id=challenge_id)
        page = paginator.paginate_queryset(pending, request, view=self) or []
        health_data_access_record(
            accessor=user,
            role=AccessorRole.ORGANIZER,
            why=f"reviewing flagged contributions to challenge {challenge_id}",
            reads=selectors.contributions_read(page),
        )
        return paginator.get_paginated_response(PendingOutput(page, many=True).data)


class ContributionAcceptView(APIView):
    accept = True

    @extend_schema(request=None, responses={204: None}, operation_id="challenges_pending_accept")
    def post(self, request: Request, challenge_id: int, contribution_id: int) -> Response:
        services.contribution_review(
            user=request_user(request),
            challenge_id=challenge_id,
            contribution_id=contribution_id,
            accept=self.accept,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContributionRejectView(ContributionAcceptView):
    accept = False

    @extend_schema(request=None, responses={204: None}, operation_id="challenges_pending_reject")
    def post(self, request: Request, challenge_id: int, contribution_id: int) -> Response:
        return super().post(request, challenge_id, contribution_id)


class ParticipantRemoveView(APIView):
    @extend_schema(
        request=None, responses={204: None}, operation_id="challenges_participants_remove"
    )
    def post(self, request: Request, challenge_id: int, participant_id: int) -> Response:
        services.participant_remove(
            user=request_user(request), challenge_id=challenge_id, participant_id=participant_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResultsCsvView(APIView):
    @extend_schema(
        request=None,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        operation_id="challenges_results_csv",
    )
    def get(self, request: Request, challenge_id: int) -> HttpResponse:
        body = selectors.results_csv(user=request_user(request), challenge_id=challenge_id)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="challenge-{challenge_id}.csv"'
        return response


class AnnounceView(APIView):
    @extend_schema(
        request=AnnounceInput,
        responses=inline_serializer("Announced", {"recipients": serializers.IntegerField()}),
        operation_id="challenges_announce",
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        count = services.challenge_announce(
            user=request_user(request),
            challenge_id=challenge_id,
            **_valid(AnnounceInput, request.data),
        )
        return Response({"recipients": count}, status=status.HTTP_202_ACCEPTED)


class BadgeListView(APIView):
    @extend_schema(request=None, responses=BadgeOutput(many=True), operation_id="badges_list")
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": BadgeOutput(
                    selectors.badges_of(user=request_user(request)), many=True
                ).data
            }
        )


class StreakListView(APIView):
    @extend_schema(request=None, responses=StreakOutput(many=True), operation_id="streaks_list")
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": StreakOutput(
                    selectors.streaks_of(user=request_user(request)), many=True
                ).data
            }
        )
