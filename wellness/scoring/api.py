"""HTTP endpoints for scores, progress and fitness over time: validate, call one selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.people.permissions import request_user
from wellness.scoring.selectors import (
    performance_series,
    personal_records,
    progress_of,
    workout_score_view,
)
from wellness.scoring.serializers import (
    LevelProgressOutput,
    PerformanceSeriesOutput,
    PersonalRecordsOutput,
    WorkoutScoreOutput,
)


class WorkoutScoreView(APIView):
    @extend_schema(
        responses={200: WorkoutScoreOutput},
        summary="The workout's score: every metric with its explanation, flags and points.",
    )
    def get(self, request: Request, workout_id: int) -> Response:
        return Response(workout_score_view(user=request_user(request), workout_id=workout_id))


class PersonalRecordsView(APIView):
    @extend_schema(
        responses={200: PersonalRecordsOutput},
        summary="My personal records: best time per distance and best power per duration, per "
        "sport, with the workout each came from.",
    )
    def get(self, request: Request) -> Response:
        return Response({"records": personal_records(user=request_user(request))})


class ProgressView(APIView):
    @extend_schema(responses={200: LevelProgressOutput}, summary="My lifetime XP and level.")
    def get(self, request: Request) -> Response:
        return Response(progress_of(user=request_user(request)))


class PerformanceInput(serializers.Serializer[Any]):
    days = serializers.IntegerField(min_value=1, max_value=730, default=90)


class PerformanceView(APIView):
    @extend_schema(
        parameters=[PerformanceInput],
        responses={200: PerformanceSeriesOutput},
        summary="Daily training load with fitness (CTL), fatigue (ATL) and form (TSB).",
    )
    def get(self, request: Request) -> Response:
        data = PerformanceInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        return Response(
            performance_series(user=request_user(request), days=data.validated_data["days"])
        )
