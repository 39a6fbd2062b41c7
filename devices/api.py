"""Activity files: import a FIT, GPX or TCX file as a workout, export a workout as FIT, GPX or CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import services as device_services
from devices.serializers import ImportSummaryOutput
from wellness.core.errors import ValidationFailed
from wellness.people.permissions import HasHealthDataConsent, IsAuthenticatedForApi, request_user


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
        responses={201: ImportSummaryOutput},
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
            user=request_user(request), data=upload.read(), filename=upload.name or "The file"
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
            user=request_user(request), workout_id=workout_id, fmt=chosen
        )
        response = HttpResponse(exported.data, content_type=exported.content_type)
        name = device_services.export_filename(workout=workout, exported=exported)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
