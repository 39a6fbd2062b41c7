"""HTTP endpoints for classes: validate, call one service or selector, serialize."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.classes import selectors, services
from wellness.classes.metrics import explain_class_metrics
from wellness.classes.models import (
    Attendance,
    Booking,
    ClassKind,
    ClassOccurrence,
    Delivery,
    FitnessClass,
    Instructor,
    Level,
)
from wellness.classes.plan import BreathingDict, SegmentDict
from wellness.core.errors import NotFound
from wellness.core.rest import Pagination
from wellness.people.permissions import request_user
from wellness.people.selectors import public_name

# Larger numbers are no id of ours, and some databases overflow on them.
MAX_ID = 2**31 - 1


class OccurrenceOutput(serializers.ModelSerializer[ClassOccurrence]):
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = ClassOccurrence
        fields = ["id", "starts_at", "capacity", "booked_count", "places_left", "status"]

    def get_places_left(self, obj: ClassOccurrence) -> int:
        return max(0, obj.capacity - obj.booked_count)


class ClassOutput(serializers.ModelSerializer[FitnessClass]):
    instructor = serializers.SerializerMethodField()

    class Meta:
        model = FitnessClass
        fields = [
            "id", "title", "description", "kind", "level", "language", "delivery",
            "duration_seconds", "segments", "media_url", "accessibility_notes",
            "schedule_rrule", "first_start_local", "time_zone", "capacity", "instructor",
            "community_id",
        ]  # fmt: skip

    def get_instructor(self, obj: FitnessClass) -> str:
        if obj.instructor is None:
            return "Former instructor"
        return public_name(obj.instructor.user.profile)


class ClassInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    kind = serializers.ChoiceField(choices=ClassKind.choices)
    level = serializers.ChoiceField(choices=Level.choices, default=Level.ALL)
    language = serializers.CharField(max_length=16, default="en")
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    segments = serializers.JSONField()
    media_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    accessibility_notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    schedule_rrule = serializers.CharField(required=False, allow_blank=True, max_length=200)
    first_start_local = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Local wall-clock time of the first class, e.g. 2030-03-18T07:00, no offset.",
    )
    time_zone = serializers.CharField(max_length=64, default="UTC")
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    community_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Publish in this community; without it, in the global catalogue (instructors "
        "granted by an administrator only).",
    )

    def validate_first_start_local(self, value: str) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise serializers.ValidationError(
                "A local date and time like 2030-03-18T07:00."
            ) from exc
        if parsed.tzinfo is not None:
            raise serializers.ValidationError(
                "Give the local wall-clock time without an offset; time_zone says where."
            )
        return parsed


class BookingOutput(serializers.ModelSerializer[Booking]):
    occurrence = OccurrenceOutput()
    class_id = serializers.IntegerField(source="occurrence.fitness_class_id")
    class_title = serializers.CharField(source="occurrence.fitness_class.title")

    class Meta:
        model = Booking
        fields = ["id", "status", "created_at", "class_id", "class_title", "occurrence"]


class BookingInput(serializers.Serializer[Any]):
    occurrence_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SessionActionInput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=services.SESSION_ACTIONS)
    index = serializers.IntegerField(required=False, min_value=0, max_value=10_000)


class LiveShareInput(serializers.Serializer[Any]):
    sharing = serializers.BooleanField()
    show_numbers = serializers.BooleanField(default=False)
    use_pseudonym = serializers.BooleanField(default=False)


class LiveShareOutput(LiveShareInput):
    pass


class InstructorInput(serializers.Serializer[Any]):
    user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    community_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Grant as an organizer of this community, to one of its members.",
    )


class InstructorOutput(serializers.ModelSerializer[Instructor]):
    class Meta:
        model = Instructor
        fields = ["id", "user_id", "bio"]
        read_only_fields = fields


class BreathingOutput(serializers.Serializer[BreathingDict]):
    inhale_s = serializers.FloatField()
    hold_s = serializers.FloatField()
    exhale_s = serializers.FloatField()
    hold_out_s = serializers.FloatField()


class SegmentOutput(serializers.Serializer[SegmentDict]):
    name = serializers.CharField()
    duration_s = serializers.IntegerField()
    cue = serializers.CharField()
    target_zone = serializers.IntegerField(allow_null=True)
    breathing = BreathingOutput(allow_null=True)


class SessionStateOutput(serializers.Serializer[selectors.SessionState]):
    occurrence_id = serializers.IntegerField()
    revision = serializers.IntegerField()
    status = serializers.CharField()
    segment_index = serializers.IntegerField()
    segment_count = serializers.IntegerField()
    segment = SegmentOutput()
    next_segment = serializers.CharField(allow_null=True)
    elapsed_s = serializers.FloatField()
    remaining_s = serializers.FloatField()
    server_time = serializers.FloatField(help_text="UNIX seconds when elapsed_s was taken.")
    is_instructor = serializers.BooleanField(
        required=False, help_text="In the answer to GET: whether the caller leads this class."
    )


class AttendanceOutput(serializers.ModelSerializer[Attendance]):
    class_title = serializers.CharField(source="fitness_class.title")
    kind = serializers.CharField(source="fitness_class.kind")
    delivery = serializers.CharField(source="fitness_class.delivery")
    occurrence_starts_at = serializers.DateTimeField(source="occurrence.starts_at", default=None)
    recording = serializers.SerializerMethodField(
        help_text="Start a bridge or phone workout with these values (its client_id) to record "
        "heart rate into this class's workout; null without one."
    )
    elapsed_s = serializers.SerializerMethodField(help_text="Seconds since the start, now.")
    score = serializers.SerializerMethodField()
    class_metrics = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = [
            "id", "status", "fitness_class", "class_title", "kind", "delivery", "occurrence",
            "occurrence_starts_at", "started_at", "completed_at", "elapsed_s", "workout",
            "recording", "score", "class_metrics", "explanations",
        ]  # fmt: skip

    def get_recording(self, obj: Attendance) -> dict[str, Any] | None:
        workout = obj.workout
        if workout is None:
            return None
        return {
            "client_id": workout.client_id,
            "sport": workout.sport,
            "indoor": workout.indoor,
            "started_at": workout.started_at.timestamp(),
        }

    def get_elapsed_s(self, obj: Attendance) -> float:
        end = obj.completed_at or timezone.now()
        return round((end - obj.started_at).total_seconds(), 3)

    def get_score(self, obj: Attendance) -> dict[str, Any] | None:
        if obj.workout is None:
            return None
        return selectors.score_summary(getattr(obj.workout, "score", None))

    def get_class_metrics(self, obj: Attendance) -> dict[str, Any] | None:
        return obj.metrics or None

    def get_explanations(self, obj: Attendance) -> dict[str, str]:
        return explain_class_metrics(obj.metrics) if obj.metrics else {}


class AttendanceCompleteInput(serializers.Serializer[Any]):
    attended_s = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=86_400,
        help_text="Seconds you took part, without the player's pauses; default: all the time.",
    )


class ClassListView(APIView):
    @extend_schema(responses=ClassOutput(many=True), summary="Browse the class catalogue.")
    def get(self, request: Request) -> Response:
        params = request.query_params
        qs = selectors.classes_catalogue(
            user=request_user(request),
            kind=params.get("kind", ""),
            level=params.get("level", ""),
            language=params.get("language", ""),
            delivery=params.get("delivery", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ClassOutput(page, many=True).data)

    @extend_schema(request=ClassInput, responses={201: ClassOutput}, summary="Publish a class.")
    def post(self, request: Request) -> Response:
        data = ClassInput(data=request.data)
        data.is_valid(raise_exception=True)
        fitness_class = services.class_create(user=request_user(request), **data.validated_data)
        return Response(ClassOutput(fitness_class).data, status=status.HTTP_201_CREATED)


class ClassDetailView(APIView):
    @extend_schema(responses=ClassOutput, summary="A class with its segments.")
    def get(self, request: Request, class_id: int) -> Response:
        fitness_class = selectors.class_get(user=request_user(request), class_id=class_id)
        if fitness_class is None:
            raise NotFound("No such class.")
        return Response(ClassOutput(fitness_class).data)


class ClassOccurrencesView(APIView):
    @extend_schema(responses=OccurrenceOutput(many=True), summary="Upcoming dates of a live class.")
    def get(self, request: Request, class_id: int) -> Response:
        fitness_class = selectors.class_get(user=request_user(request), class_id=class_id)
        if fitness_class is None:
            raise NotFound("No such class.")
        occurrences = selectors.class_upcoming(fitness_class=fitness_class)[:100]
        return Response(OccurrenceOutput(occurrences, many=True).data)


class BookingListView(APIView):
    @extend_schema(responses=BookingOutput(many=True), summary="My bookings.")
    def get(self, request: Request) -> Response:
        qs = selectors.bookings_for(user=request_user(request)).order_by("-created_at", "-id")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(BookingOutput(page, many=True).data)

    @extend_schema(
        request=BookingInput,
        responses={201: BookingOutput},
        summary="Book a place (or join the waiting list when the class is full).",
    )
    def post(self, request: Request) -> Response:
        data = BookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_create(
            user=request_user(request), occurrence_id=data.validated_data["occurrence_id"]
        )
        booking = selectors.bookings_for(user=request_user(request)).get(pk=booking.pk)
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    @extend_schema(responses=BookingOutput, summary="One of my bookings.")
    def get(self, request: Request, booking_id: int) -> Response:
        booking = selectors.bookings_for(user=request_user(request)).filter(pk=booking_id).first()
        if booking is None:
            raise NotFound("No such booking.")
        return Response(BookingOutput(booking).data)

    @extend_schema(
        request=None,
        responses=BookingOutput,
        summary="Cancel a booking; the first person waiting gets the place.",
    )
    def delete(self, request: Request, booking_id: int) -> Response:
        booking = services.booking_cancel(user=request_user(request), booking_id=booking_id)
        booking = selectors.bookings_for(user=request_user(request)).get(pk=booking.pk)
        return Response(BookingOutput(booking).data)


class HistoryView(APIView):
    @extend_schema(
        responses=AttendanceOutput(many=True),
        summary="Classes I took, with each workout's score and the class metrics.",
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.class_history(user=request_user(request)), request, view=self
        )
        return paginator.get_paginated_response(AttendanceOutput(page, many=True).data)


def _attendance_response(request: Request, attendance: Attendance, code: int = 200) -> Response:
    fresh = selectors.attendance_of(user=request_user(request), attendance_id=attendance.pk)
    return Response(AttendanceOutput(fresh).data, status=code)


class OnDemandAttendanceView(APIView):
    @extend_schema(
        request=None,
        responses={201: AttendanceOutput},
        summary="Start an on-demand class (or get the run already going).",
    )
    def post(self, request: Request, class_id: int) -> Response:
        attendance = services.attendance_start_on_demand(
            user=request_user(request), class_id=class_id
        )
        return _attendance_response(request, attendance, status.HTTP_201_CREATED)


class LiveAttendanceView(APIView):
    @extend_schema(
        request=None,
        responses={201: AttendanceOutput},
        summary="Join a running live session as a participant (again: the same attendance).",
    )
    def post(self, request: Request, occurrence_id: int) -> Response:
        attendance = services.attendance_start_live(
            user=request_user(request), occurrence_id=occurrence_id
        )
        return _attendance_response(request, attendance, status.HTTP_201_CREATED)


class AttendanceDetailView(APIView):
    @extend_schema(responses=AttendanceOutput, summary="One class I take or took.")
    def get(self, request: Request, attendance_id: int) -> Response:
        attendance = selectors.attendance_of(
            user=request_user(request), attendance_id=attendance_id
        )
        if attendance is None:
            raise NotFound("No such attendance.")
        return Response(AttendanceOutput(attendance).data)


class AttendanceCompleteView(APIView):
    @extend_schema(
        request=AttendanceCompleteInput,
        responses=AttendanceOutput,
        summary="Complete a class: its workout is scored and counts for challenges (once).",
    )
    def post(self, request: Request, attendance_id: int) -> Response:
        data = AttendanceCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = services.attendance_complete(
            user=request_user(request), attendance_id=attendance_id, **data.validated_data
        )
        return _attendance_response(request, attendance)


class SessionView(APIView):
    @extend_schema(
        responses=SessionStateOutput, summary="The live session's state (participants, instructor)."
    )
    def get(self, request: Request, occurrence_id: int) -> Response:
        occurrence = selectors.occurrence_for(
            user=request_user(request), occurrence_id=occurrence_id
        )
        if occurrence is None:
            raise NotFound("No such class occurrence.")
        state = selectors.session_state(occurrence=occurrence)
        state["is_instructor"] = selectors.is_instructor_of(
            user=request_user(request), occurrence=occurrence
        )
        return Response(state)

    @extend_schema(
        request=SessionActionInput,
        responses=SessionStateOutput,
        summary="Instructor console: start, pause, resume, next, previous, goto, end.",
    )
    def post(self, request: Request, occurrence_id: int) -> Response:
        data = SessionActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        occurrence = services.session_control(
            user=request_user(request), occurrence_id=occurrence_id, **data.validated_data
        )
        return Response(selectors.session_state(occurrence=occurrence))


class LiveShareView(APIView):
    @extend_schema(responses=LiveShareOutput, summary="My heart-rate sharing choice for a class.")
    def get(self, request: Request, occurrence_id: int) -> Response:
        if (
            selectors.occurrence_for(user=request_user(request), occurrence_id=occurrence_id)
            is None
        ):
            raise NotFound("No such class occurrence.")
        share = selectors.live_share_of(user=request_user(request), occurrence_id=occurrence_id)
        return Response(
            LiveShareOutput(share).data
            if share
            else {"sharing": False, "show_numbers": False, "use_pseudonym": False}
        )

    @extend_schema(
        request=LiveShareInput,
        responses=LiveShareOutput,
        summary="Opt in or out of sharing live heart rate with this class.",
    )
    def put(self, request: Request, occurrence_id: int) -> Response:
        data = LiveShareInput(data=request.data)
        data.is_valid(raise_exception=True)
        share = services.live_share_set(
            user=request_user(request), occurrence_id=occurrence_id, **data.validated_data
        )
        return Response(LiveShareOutput(share).data)


class InstructorGrantView(APIView):
    @extend_schema(
        request=InstructorInput,
        responses={201: InstructorOutput},
        summary="Grant the instructor role (an admin, or a community organizer to a member).",
    )
    def post(self, request: Request) -> Response:
        data = InstructorInput(data=request.data)
        data.is_valid(raise_exception=True)
        instructor = services.instructor_grant(
            granted_by=request_user(request), **data.validated_data
        )
        return Response(InstructorOutput(instructor).data, status=status.HTTP_201_CREATED)


class InstructorDetailView(APIView):
    @extend_schema(
        responses={204: None},
        summary="Revoke the instructor role (an admin, or an organizer of the community that "
        "granted it); their class sockets opened as instructor close.",
    )
    def delete(self, request: Request, user_id: int) -> Response:
        services.instructor_revoke(revoked_by=request_user(request), user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
