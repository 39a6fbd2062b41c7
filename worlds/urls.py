"""Worlds API routes, mounted under /api/v1/."""

from django.urls import path

from worlds import api

urlpatterns = [
    path("worlds/", api.WorldListView.as_view(), name="world-list"),
    path("worlds/<dbid:world_id>/", api.WorldDetailView.as_view(), name="world-detail"),
    path("worlds/<dbid:world_id>/route/", api.WorldRouteView.as_view(), name="world-route"),
    path(
        "worlds/<dbid:world_id>/landmarks/",
        api.WorldLandmarksView.as_view(),
        name="world-landmarks",
    ),
    path(
        "worlds/<dbid:world_id>/invitations/",
        api.WorldInvitationsView.as_view(),
        name="world-invitations",
    ),
    path("worlds/<dbid:world_id>/avatars/", api.WorldAvatarsView.as_view(), name="world-avatars"),
    path("worlds/sessions/", api.SessionListView.as_view(), name="world-session-list"),
    path(
        "worlds/sessions/<dbid:session_id>/",
        api.SessionDetailView.as_view(),
        name="world-session-detail",
    ),
    path(
        "worlds/sessions/<dbid:session_id>/finish/",
        api.SessionFinishView.as_view(),
        name="world-session-finish",
    ),
    path("worlds/group-runs/", api.GroupRunListView.as_view(), name="group-run-list"),
    path(
        "worlds/group-runs/<dbid:group_run_id>/",
        api.GroupRunDetailView.as_view(),
        name="group-run-detail",
    ),
    path(
        "worlds/group-runs/<dbid:group_run_id>/join/",
        api.GroupRunJoinView.as_view(),
        name="group-run-join",
    ),
    path("worlds/journeys/", api.JourneyListView.as_view(), name="journey-list"),
    path(
        "worlds/journeys/<dbid:journey_id>/", api.JourneyDetailView.as_view(), name="journey-detail"
    ),
    path(
        "worlds/journeys/<dbid:journey_id>/join/",
        api.JourneyJoinView.as_view(),
        name="journey-join",
    ),
    path(
        "worlds/journey-progress/",
        api.JourneyProgressListView.as_view(),
        name="journey-progress-list",
    ),
    path(
        "worlds/journey-progress/<dbid:progress_id>/",
        api.JourneyProgressDetailView.as_view(),
        name="journey-progress-detail",
    ),
    path("worlds/postcards/", api.PostcardListView.as_view(), name="postcard-list"),
    path(
        "worlds/postcards/<dbid:postcard_id>/",
        api.PostcardDetailView.as_view(),
        name="postcard-detail",
    ),
]
