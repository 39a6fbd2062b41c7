"""HTTP endpoints for rehabilitation: validate, call one service or selector, serialize."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.care.rehabilitation import selectors, services
from wellness.care.rehabilitation.serializers import (
    ExerciseFilterInput,
    ExerciseInput,
    ExerciseOutput,
)
from wellness.people.permissions import request_user


class ExerciseListView(APIView):
    @extend_schema(
        parameters=[ExerciseFilterInput],
        responses=ExerciseOutput(many=True),
        summary="The exercise library: shipped exercises and your organisation's own.",
    )
    def get(self, request: Request) -> Response:
        filters = ExerciseFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        exercises = selectors.exercises_visible(
            user=request_user(request),
            body_region=filters.validated_data.get("region"),
            equipment=filters.validated_data.get("equipment"),
            position=filters.validated_data.get("position"),
        )
        return Response(ExerciseOutput(exercises, many=True).data)

    @extend_schema(
        request=ExerciseInput,
        responses={201: ExerciseOutput},
        summary="As a verified therapist, add an exercise shared within your organisation.",
    )
    def post(self, request: Request) -> Response:
        data = ExerciseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        positions = values.pop("positions")
        exercise = services.exercise_create(
            clinician_user=request_user(request),
            seated="seated" in positions,
            standing="standing" in positions,
            **values,
        )
        return Response(ExerciseOutput(exercise).data, status=status.HTTP_201_CREATED)


class ExerciseDetailView(APIView):
    @extend_schema(responses=ExerciseOutput, summary="One exercise of the library.")
    def get(self, request: Request, exercise_id: int) -> Response:
        exercise = selectors.exercise_visible(user=request_user(request), exercise_id=exercise_id)
        return Response(ExerciseOutput(exercise).data)
