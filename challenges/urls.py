"""Routes of the challenges API, mounted under /api/v1/."""

from __future__ import annotations

from django.urls import path

from challenges import api

C = "challenges/<dbid:challenge_id>"
urlpatterns = [
    path("communities/", api.CommunityListView.as_view(), name="community-list"),
    path("communities/<dbid:community_id>/", api.CommunityDetailView.as_view()),
    path("communities/<dbid:community_id>/invite/", api.CommunityInviteView.as_view()),
    path("communities/<dbid:community_id>/join/", api.CommunityJoinView.as_view()),
    path("communities/<dbid:community_id>/leave/", api.CommunityLeaveView.as_view()),
    path("communities/<dbid:community_id>/members/", api.MemberListView.as_view()),
    path(
        "communities/<dbid:community_id>/members/<dbid:member_id>/approve/",
        api.MemberApproveView.as_view(),
    ),
    path(
        "communities/<dbid:community_id>/members/<dbid:member_id>/role/",
        api.MemberRoleView.as_view(),
    ),
    path("organizers/<dbid:user_id>/verified/", api.OrganizerVerificationView.as_view()),
    path("challenges/", api.ChallengeListView.as_view(), name="challenge-list"),
    path("challenges/goal-types/", api.GoalTypeListView.as_view(), name="challenge-goal-types"),
    path(f"{C}/", api.ChallengeDetailView.as_view()),
    path(f"{C}/join/", api.ChallengeJoinView.as_view()),
    path(f"{C}/leave/", api.ChallengeLeaveView.as_view()),
    path(f"{C}/teams/", api.TeamCreateView.as_view()),
    path(f"{C}/leaderboard/", api.LeaderboardView.as_view()),
    path(f"{C}/leaderboard/teams/", api.TeamLeaderboardView.as_view()),
    path(f"{C}/pending/", api.PendingListView.as_view()),
    path(f"{C}/pending/<dbid:contribution_id>/accept/", api.ContributionAcceptView.as_view()),
    path(f"{C}/pending/<dbid:contribution_id>/reject/", api.ContributionRejectView.as_view()),
    path(f"{C}/participants/<dbid:participant_id>/remove/", api.ParticipantRemoveView.as_view()),
    path(f"{C}/results.csv", api.ResultsCsvView.as_view()),
    path(f"{C}/announce/", api.AnnounceView.as_view()),
    path("badges/", api.BadgeListView.as_view()),
    path("streaks/", api.StreakListView.as_view()),
]
