"""Workouts for their owner, and the phone companion's idempotent sample sync.

Views validate, call one service or selector and serialize. Ingest tokens (bridges, phones) may
use the endpoints that start, feed and finish workouts (``token_scopes``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import services as device_services
from devices.parsers import OrjsonParser, json_body
from devices.serializers import (
    SampleBatchInput,
    SampleBatchStoredOutput,
    WorkoutFinishInput,
    WorkoutOutput,
    WorkoutStartInput,
)
from wellness import selectors, services
from wellness.core.errors import PayloadTooLarge, ValidationFailed
from wellness.core.rest import Pagination
from wellness.models import TokenScope, User
from wellness.people.permissions import HasHealthDataConsent, IsAuthenticatedForApi
from wellness.workouts.samples import samples_as_json

INGEST_OR_API = (TokenScope.INGEST, TokenScope.API)
API_ONLY = (TokenScope.API,)


class IngestWritesMixin:
    """Ingest tokens may write (start, upload, finish) but never read health data back: a leaked
    phone token must not expose the history."""

    @property
    def token_scopes(self) -> tuple[str, ...]:
        method = self.request.method  # type: ignore[attr-defined]
        return INGEST_OR_API if method == "POST" else API_ONLY


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class WorkoutListView(IngestWritesMixin, APIView):
    @extend_schema(responses=WorkoutOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.workouts_for(user=_me(request)), request, view=self
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
        workout = services.workout_start(user=_me(request), **data.validated_data)
        return Response(WorkoutOutput(workout).data, status=status.HTTP_201_CREATED)


class WorkoutDetailView(APIView):
    @extend_schema(responses=WorkoutOutput)
    def get(self, request: Request, workout_id: int) -> Response:
        workout = selectors.workout_of(user=_me(request), workout_id=workout_id)
        return Response(WorkoutOutput(workout).data)

    @extend_schema(responses={204: None}, summary="Delete the workout and all its samples.")
    def delete(self, request: Request, workout_id: int) -> Response:
        services.workout_delete(user=_me(request), workout_id=workout_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkoutFinishView(APIView):
    token_scopes = INGEST_OR_API

    @extend_schema(request=WorkoutFinishInput, responses=WorkoutOutput)
    def post(self, request: Request, workout_id: int) -> Response:
        data = WorkoutFinishInput(data=request.data)
        data.is_valid(raise_exception=True)
        workout = services.workout_finish(
            workout_id=workout_id, user=_me(request), ended_at=data.validated_data.get("ended_at")
        )
        return Response(WorkoutOutput(workout).data)


class WorkoutSamplesView(IngestWritesMixin, APIView):
    parser_classes = [OrjsonParser]

    @extend_schema(
        responses={200: {"type": "array", "items": {"type": "object"}}},
        summary="All samples of the workout, merged and sorted by t, in the shared sample format.",
    )
    def get(self, request: Request, workout_id: int) -> Response:
        workout = selectors.workout_of(user=_me(request), workout_id=workout_id)
        series = selectors.workout_series(workout=workout)
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
        code, response = services.workout_samples_sync(
            user=_me(request),
            workout_id=workout_id,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body=body,
            device=data.get("device"),
            seq=data.get("seq"),
            samples=data.get("samples"),
            columns=data.get("columns"),
        )
        return Response(response, status=code)


class WorkoutImportView(APIView):
    """Upload a FIT, GPX or TCX file (or a Wellverse CSV export): one finished workout."""

    parser_classes = [MultiPartParser]
    permission_classes = [IsAuthenticatedForApi, HasHealthDataConsent]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: {"type": "object"}},
        summary="Import an activity file; answers the stored workout's summary.",
    )
    def post(self, request: Request) -> Response:
        # Refuse an oversized upload before reading it, when the client says how big it is.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        # The multipart envelope adds a little to the file itself.
        if declared > device_services.import_max_bytes() + 64 * 1024:
            device_services.import_size_check(size=declared)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                "Send the activity file as the multipart field 'file'.",
                fields={"file": ["A FIT, GPX or TCX file."]},
            )
        device_services.import_size_check(size=upload.size or 0)
        imported = device_services.workout_import(
            user=_me(request), data=upload.read(), filename=upload.name or "The file"
        )
        return Response(imported.summary, status=status.HTTP_201_CREATED)


class _JsonForErrors(BaseContentNegotiation):
    """DRF reads ``?format=`` as a renderer choice; here it names the file format, and the only
    thing rendered by DRF is an error, always JSON."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class WorkoutExportView(APIView):
    """The workout as a file: ``export.fit``, ``export.gpx``, ``export.csv`` or ``?format=``."""

    content_negotiation_class = _JsonForErrors

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["fit", "gpx", "csv"])],
        responses={(200, "application/octet-stream"): bytes},
        summary="Download the workout as FIT, GPX or CSV (re-importable).",
    )
    def get(self, request: Request, workout_id: int, fmt: str = "") -> HttpResponse:
        # "format" is DRF's own format-suffix argument name; read the query parameter directly.
        chosen = fmt or request.query_params.get("format", "")
        workout, exported = device_services.workout_export(
            user=_me(request), workout_id=workout_id, fmt=chosen
        )
        response = HttpResponse(exported.data, content_type=exported.content_type)
        name = device_services.export_filename(workout=workout, exported=exported)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
