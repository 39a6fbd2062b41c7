"""The /api/v1/workouts/ resource for its owner, and the phone companion's idempotent sample sync.

Views validate, call one service or selector and serialize. Ingest tokens (bridges, phones) may
use the endpoints that start, feed and finish workouts (``token_scopes``).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.core.errors import PayloadTooLarge, ValidationFailed
from wellness.core.rest import Pagination
from wellness.people.models import TokenScope
from wellness.people.permissions import request_user
from wellness.workouts.parsers import OrjsonParser, json_body
from wellness.workouts.samples import samples_as_json
from wellness.workouts.selectors import workout_of, workout_series, workouts_for
from wellness.workouts.serializers import (
    SampleBatchInput,
    SampleBatchStoredOutput,
    WorkoutFinishInput,
    WorkoutOutput,
    WorkoutSamplesOutput,
    WorkoutStartInput,
)
from wellness.workouts.services import (
    workout_delete,
    workout_finish,
    workout_samples_sync,
    workout_start,
)

INGEST_OR_API = (TokenScope.INGEST, TokenScope.API)
API_ONLY = (TokenScope.API,)


class IngestWritesMixin:
    """Ingest tokens may write (start, upload, finish) but never read health data back: a leaked
    phone token must not expose the history."""

    @property
    def token_scopes(self) -> tuple[str, ...]:
        method = self.request.method  # type: ignore[attr-defined]
        return INGEST_OR_API if method == "POST" else API_ONLY


class WorkoutListView(IngestWritesMixin, APIView):
    @extend_schema(responses=WorkoutOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            workouts_for(user=request_user(request)), request, view=self
        )
        return paginator.get_paginated_response(WorkoutOutput(page, many=True).data)

    @extend_schema(
        request=WorkoutStartInput,
        responses={201: WorkoutOutput},
        summary="Start a workout (or, with a known client_id, get the one already started).",
    )
    def post(self, request: Request) -> Response:
        data = WorkoutStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        workout = workout_start(user=request_user(request), **data.validated_data)
        return Response(WorkoutOutput(workout).data, status=status.HTTP_201_CREATED)


class WorkoutDetailView(APIView):
    @extend_schema(responses=WorkoutOutput)
    def get(self, request: Request, workout_id: int) -> Response:
        workout = workout_of(user=request_user(request), workout_id=workout_id)
        return Response(WorkoutOutput(workout).data)

    @extend_schema(responses={204: None}, summary="Delete the workout and all its samples.")
    def delete(self, request: Request, workout_id: int) -> Response:
        workout_delete(user=request_user(request), workout_id=workout_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkoutFinishView(APIView):
    token_scopes = INGEST_OR_API

    @extend_schema(request=WorkoutFinishInput, responses=WorkoutOutput)
    def post(self, request: Request, workout_id: int) -> Response:
        data = WorkoutFinishInput(data=request.data)
        data.is_valid(raise_exception=True)
        workout = workout_finish(
            workout_id=workout_id,
            user=request_user(request),
            ended_at=data.validated_data.get("ended_at"),
        )
        return Response(WorkoutOutput(workout).data)


class WorkoutSamplesView(IngestWritesMixin, APIView):
    parser_classes = [OrjsonParser]

    @extend_schema(
        responses={200: WorkoutSamplesOutput},
        summary="All samples of the workout, merged and sorted by t, in the shared sample format.",
    )
    def get(self, request: Request, workout_id: int) -> Response:
        workout = workout_of(user=request_user(request), workout_id=workout_id)
        series = workout_series(workout=workout)
        return Response(
            {"workout_id": workout.pk, "samples": samples_as_json(series.records, series.rr)}
        )

    @extend_schema(
        request=SampleBatchInput,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                description="A client-chosen id of this batch; a retry sends the same key.",
            )
        ],
        responses={201: SampleBatchStoredOutput, 200: SampleBatchStoredOutput},
        summary="Upload one batch of samples (companion sync); idempotent per Idempotency-Key.",
    )  # fmt: skip
    def post(self, request: Request, workout_id: int) -> Response:
        limit = settings.WELLVERSE_SYNC_MAX_BYTES
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > limit:
            raise PayloadTooLarge(f"An upload may be at most {limit:,} bytes; split the batch.")
        body = request.body
        if len(body) > limit:
            raise PayloadTooLarge(f"An upload may be at most {limit:,} bytes; split the batch.")
        data = json_body(request, body)
        if not isinstance(data, dict):
            raise ValidationFailed('Send a JSON object {"device", "seq", "samples" or "columns"}.')
        code, response = workout_samples_sync(
            user=request_user(request),
            workout_id=workout_id,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body=body,
            device=data.get("device"),
            seq=data.get("seq"),
            samples=data.get("samples"),
            columns=data.get("columns"),
        )
        return Response(response, status=code)
