"""HTTP endpoints for worlds: validate, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from wellness.core.errors import ValidationFailed
from wellness.core.rest import Pagination
from wellness.people.permissions import request_user
from worlds import selectors, services
from worlds.serializers import (
    GroupRunDetailOutput,
    GroupRunInput,
    GroupRunOutput,
    InvitationInput,
    JourneyJoinInput,
    JourneyOutput,
    JourneyProgressOutput,
    LandmarkInput,
    LandmarkOutput,
    PostcardOutput,
    SessionDetailOutput,
    SessionInput,
    SessionOutput,
    WorldAvatarsOutput,
    WorldInput,
    WorldOutput,
    WorldRouteOutput,
)


def _page(view: APIView, request: Request, queryset: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer(page, many=True, context={"request": request}).data
    )


class WorldListView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=WorldOutput(many=True))
    def get(self, request: Request) -> Response:
        worlds = selectors.worlds_visible_to(user=request_user(request)).prefetch_related(
            "landmarks"
        )
        return _page(self, request, worlds, WorldOutput)

    @extend_schema(request=WorldInput, responses={201: WorldOutput})
    def post(self, request: Request) -> Response:
        """Create a world from a GPX file (multipart field ``gpx``) or GPX text (JSON ``gpx``)."""
        if not hasattr(request.data, "get"):
            raise ValidationFailed("Send an object with the GPX and the world's fields.")
        gpx: Any = request.data.get("gpx")
        if hasattr(gpx, "read"):  # an uploaded file, refused before it is read into memory
            services.gpx_size_check(size=gpx.size)
            gpx = gpx.read()
        if not gpx or not isinstance(gpx, str | bytes):
            raise ValidationFailed(
                "Attach a GPX file as gpx.", fields={"gpx": ["Attach a GPX file."]}
            )
        fields = {k: v for k, v in request.data.items() if k != "gpx"}
        data = WorldInput(data=fields)
        data.is_valid(raise_exception=True)
        world = services.world_create_from_gpx(
            owner=request_user(request), gpx=gpx, **data.validated_data
        )
        return Response(WorldOutput(world, context={"request": request}).data, status=201)


class WorldDetailView(APIView):
    @extend_schema(responses=WorldOutput)
    def get(self, request: Request, world_id: int) -> Response:
        world = selectors.world_for(user=request_user(request), world_id=world_id)
        return Response(WorldOutput(world, context={"request": request}).data)


class WorldRouteView(APIView):
    @extend_schema(
        summary="Route geometry: points as [lat, lon, distance_m, elevation_m, gradient].",
        responses=WorldRouteOutput,
    )
    def get(self, request: Request, world_id: int) -> Response:
        world = selectors.world_for(user=request_user(request), world_id=world_id)
        return Response(
            {
                "world_id": world.pk,
                "distance_m": round(world.route.distance_m, 1),
                "laps": world.laps,
                "has_elevation": world.route.has_elevation,
                "notes": world.route.notes,
                "columns": ["lat", "lon", "distance_m", "elevation_m", "gradient"],
                "points": world.route.points,
                "landmarks": LandmarkOutput(world.landmarks.all(), many=True).data,
            }
        )


class WorldLandmarksView(APIView):
    @extend_schema(request=LandmarkInput, responses={201: LandmarkOutput})
    def post(self, request: Request, world_id: int) -> Response:
        data = LandmarkInput(data=request.data)
        data.is_valid(raise_exception=True)
        mark = services.landmark_add(
            owner=request_user(request), world_id=world_id, **data.validated_data
        )
        return Response(LandmarkOutput(mark).data, status=201)


class WorldInvitationsView(APIView):
    # 204 whether or not the address has an account; the throttle stops trying addresses en masse.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitations"

    @extend_schema(request=InvitationInput, responses={204: None})
    def post(self, request: Request, world_id: int) -> Response:
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.world_invite(owner=request_user(request), world_id=world_id, **data.validated_data)
        return Response(status=204)


class WorldAvatarsView(APIView):
    @extend_schema(
        summary="The avatars in the world now, as spectators see them.",
        responses=WorldAvatarsOutput,
    )
    def get(self, request: Request, world_id: int) -> Response:
        world = selectors.world_for(user=request_user(request), world_id=world_id)
        return Response({"avatars": selectors.world_live_avatars(world_id=world.pk)})


class SessionListView(APIView):
    @extend_schema(responses=SessionOutput(many=True))
    def get(self, request: Request) -> Response:
        return _page(
            self, request, selectors.sessions_for(user=request_user(request)), SessionOutput
        )

    @extend_schema(request=SessionInput, responses={201: SessionOutput})
    def post(self, request: Request) -> Response:
        data = SessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_start(user=request_user(request), **data.validated_data)
        return Response(SessionOutput(session).data, status=201)


class SessionDetailView(APIView):
    @extend_schema(responses=SessionDetailOutput)
    def get(self, request: Request, session_id: int) -> Response:
        session = selectors.session_for(user=request_user(request), session_id=session_id)
        return Response(SessionDetailOutput(session).data)


class SessionFinishView(APIView):
    @extend_schema(request=None, responses=SessionOutput)
    def post(self, request: Request, session_id: int) -> Response:
        session = services.session_finish(user=request_user(request), session_id=session_id)
        return Response(SessionOutput(session).data)


class GroupRunListView(APIView):
    @extend_schema(responses=GroupRunOutput(many=True))
    def get(self, request: Request) -> Response:
        return _page(
            self,
            request,
            selectors.group_runs_visible_to(user=request_user(request)),
            GroupRunOutput,
        )

    @extend_schema(request=GroupRunInput, responses={201: GroupRunOutput})
    def post(self, request: Request) -> Response:
        data = GroupRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.group_run_schedule(organizer=request_user(request), **data.validated_data)
        return Response(GroupRunOutput(run).data, status=201)


class GroupRunDetailView(APIView):
    @extend_schema(summary="The group run and its results so far.", responses=GroupRunDetailOutput)
    def get(self, request: Request, group_run_id: int) -> Response:
        run = selectors.group_run_for(user=request_user(request), group_run_id=group_run_id)
        return Response(
            GroupRunOutput(run).data | {"results": selectors.group_run_results(group_run=run)}
        )


class GroupRunJoinView(APIView):
    @extend_schema(request=None, responses=GroupRunOutput)
    def post(self, request: Request, group_run_id: int) -> Response:
        run = services.group_run_join(user=request_user(request), group_run_id=group_run_id)
        return Response(GroupRunOutput(run).data)


class JourneyListView(APIView):
    @extend_schema(responses=JourneyOutput(many=True))
    def get(self, request: Request) -> Response:
        return _page(self, request, selectors.journeys_all(), JourneyOutput)


class JourneyDetailView(APIView):
    @extend_schema(responses=JourneyOutput)
    def get(self, request: Request, journey_id: int) -> Response:
        return Response(JourneyOutput(selectors.journey_get(journey_id=journey_id)).data)


class JourneyJoinView(APIView):
    @extend_schema(request=JourneyJoinInput, responses={201: JourneyProgressOutput})
    def post(self, request: Request, journey_id: int) -> Response:
        data = JourneyJoinInput(data=request.data)
        data.is_valid(raise_exception=True)
        progress = services.journey_join(
            user=request_user(request), journey_id=journey_id, **data.validated_data
        )
        return Response(JourneyProgressOutput(progress).data, status=201)


class JourneyProgressListView(APIView):
    @extend_schema(responses=JourneyProgressOutput(many=True))
    def get(self, request: Request) -> Response:
        return _page(
            self,
            request,
            selectors.journey_progress_for(user=request_user(request)),
            JourneyProgressOutput,
        )


class JourneyProgressDetailView(APIView):
    @extend_schema(responses=JourneyProgressOutput)
    def get(self, request: Request, progress_id: int) -> Response:
        progress = selectors.journey_progress_get(
            user=request_user(request), progress_id=progress_id
        )
        return Response(JourneyProgressOutput(progress).data)


class PostcardListView(APIView):
    @extend_schema(responses=PostcardOutput(many=True))
    def get(self, request: Request) -> Response:
        return _page(
            self, request, selectors.postcards_for(user=request_user(request)), PostcardOutput
        )


class PostcardDetailView(APIView):
    @extend_schema(responses=PostcardOutput)
    def get(self, request: Request, postcard_id: int) -> Response:
        card = selectors.postcard_for(user=request_user(request), postcard_id=postcard_id)
        return Response(PostcardOutput(card).data)
