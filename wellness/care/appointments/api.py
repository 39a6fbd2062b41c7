"""HTTP endpoints for appointments: validate, call one service or selector, serialize."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.care import selectors as care_selectors
from wellness.care.appointments import calendar, selectors, services
from wellness.care.appointments.serializers import (
    AppointmentBookingInput,
    AppointmentOutput,
    AvailabilityRuleInput,
    AvailabilityRuleOutput,
    CancelInput,
    GuestAcceptInput,
    RescheduleInput,
    SlotOutput,
)
from wellness.core.errors import Forbidden, NotFound, ValidationFailed
from wellness.core.rest import Pagination
from wellness.people.permissions import request_user

ICS = "text/calendar; charset=utf-8"
MAX_SLOT_QUERY = dt.timedelta(days=31)


def _site_url(request: Request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class AvailabilityListView(APIView):
    @extend_schema(responses=AvailabilityRuleOutput(many=True), summary="My availability rules.")
    def get(self, request: Request) -> Response:
        clinician = care_selectors.clinician_acting_now(user=request_user(request))
        if clinician is None:
            raise Forbidden("Only a verified clinician signed in with two factors has availability.",
                            code="not_acting_clinician")  # fmt: skip
        rules = selectors.availability_rules_of(clinician=clinician)
        return Response(AvailabilityRuleOutput(rules, many=True).data)

    @extend_schema(
        request=AvailabilityRuleInput,
        responses={201: AvailabilityRuleOutput},
        summary="Publish a recurring window of availability.",
    )
    def post(self, request: Request) -> Response:
        data = AvailabilityRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.availability_rule_create(user=request_user(request), **data.validated_data)
        return Response(AvailabilityRuleOutput(rule).data, status=status.HTTP_201_CREATED)


class AvailabilityDetailView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Withdraw an availability rule.")
    def delete(self, request: Request, rule_id: int) -> Response:
        services.availability_rule_delete(user=request_user(request), rule_id=rule_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _moment(value: str | None, default: dt.datetime) -> dt.datetime:
    if not value:
        return default
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            "A date and time with its offset.", fields={"from": [value]}
        ) from exc
    if timezone.is_naive(moment):
        raise ValidationFailed("Give the offset too.", fields={"from": [value]})
    return moment


class SlotsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="ISO date-time with offset; default now"),
            OpenApiParameter(
                "to", str, description="ISO date-time with offset; at most 31 days on"
            ),
        ],
        responses=SlotOutput(many=True),
        summary="The free slots of a clinician of my care team.",
    )
    def get(self, request: Request, clinician_id: int) -> Response:
        user = request_user(request)
        if selectors.bookable_clinician(clinician_id=clinician_id) is None or not (
            selectors.in_active_care(patient_id=user.pk, clinician_id=clinician_id)
        ):
            raise NotFound("No such clinician.")
        start = _moment(request.query_params.get("from"), timezone.now())
        end = _moment(request.query_params.get("to"), start + dt.timedelta(days=14))
        end = min(end, start + MAX_SLOT_QUERY)
        slots = selectors.clinician_free_slots(clinician_id=clinician_id, start=start, end=end)
        return Response(SlotOutput(slots, many=True).data)


class AppointmentListView(APIView):
    @extend_schema(responses=AppointmentOutput(many=True), summary="My appointments.")
    def get(self, request: Request) -> Response:
        qs = selectors.appointments_of(user=request_user(request))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AppointmentOutput(page, many=True).data)

    @extend_schema(
        request=AppointmentBookingInput, responses={201: AppointmentOutput}, summary="Book a slot."
    )
    def post(self, request: Request) -> Response:
        data = AppointmentBookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_book(user=request_user(request), **data.validated_data)
        return Response(AppointmentOutput(appointment).data, status=status.HTTP_201_CREATED)


def _appointment(request: Request, appointment_id: int) -> tuple[Any, str]:
    found = selectors.appointment_for(user=request_user(request), appointment_id=appointment_id)
    if found is None:
        raise NotFound("No such appointment.")
    return found


class AppointmentDetailView(APIView):
    @extend_schema(responses=AppointmentOutput, summary="One of my appointments.")
    def get(self, request: Request, appointment_id: int) -> Response:
        appointment, _ = _appointment(request, appointment_id)
        return Response(AppointmentOutput(appointment).data)

    @extend_schema(
        request=RescheduleInput, responses=AppointmentOutput, summary="Move to another free slot."
    )
    def patch(self, request: Request, appointment_id: int) -> Response:
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            user=request_user(request),
            appointment_id=appointment_id,
            starts_at=data.validated_data["starts_at"],
        )
        return Response(AppointmentOutput(appointment).data)


class AppointmentCancelView(APIView):
    @extend_schema(request=CancelInput, responses=AppointmentOutput, summary="Cancel, with notice.")
    def post(self, request: Request, appointment_id: int) -> Response:
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            user=request_user(request),
            appointment_id=appointment_id,
            reason=data.validated_data["reason"],
        )
        return Response(AppointmentOutput(appointment).data)


class AppointmentEndView(APIView):
    @extend_schema(request=None, responses=AppointmentOutput, summary="End the consultation.")
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = services.appointment_end(
            user=request_user(request), appointment_id=appointment_id
        )
        return Response(AppointmentOutput(appointment).data)


class AppointmentInvitationView(APIView):
    @extend_schema(responses={(200, ICS): bytes}, summary="The appointment as an .ics invitation.")
    def get(self, request: Request, appointment_id: int) -> HttpResponse:
        appointment, role = _appointment(request, appointment_id)
        body = calendar.invitation_ics(
            appointment, for_clinician=role == "clinician", site_url=_site_url(request)
        )
        return _ics(body, f"consultation-{appointment.pk}.ics")


class GuestInvitationView(APIView):
    @extend_schema(
        request=None,
        responses={
            201: inline_serializer("GuestInvitation", {"invitation": serializers.CharField()})
        },
        summary="A code that lets a third participant (caregiver, interpreter) join.",
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        code = services.guest_invitation_create(
            user=request_user(request), appointment_id=appointment_id
        )
        return Response({"invitation": code}, status=status.HTTP_201_CREATED)


class GuestAcceptView(APIView):
    @extend_schema(
        request=GuestAcceptInput,
        responses=AppointmentOutput,
        summary="Join an appointment as its guest.",
    )
    def post(self, request: Request) -> Response:
        data = GuestAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.guest_invitation_accept(
            user=request_user(request), invitation=data.validated_data["invitation"]
        )
        return Response(AppointmentOutput(appointment).data)


class CalendarFeedView(APIView):
    @extend_schema(
        request=None,
        responses={201: inline_serializer("CalendarFeedUrl", {"url": serializers.URLField()})},
        summary="A new secret URL of my calendar feed (the old one stops working).",
    )
    def post(self, request: Request) -> Response:
        token = services.calendar_feed_regenerate(user=request_user(request))
        url = f"{_site_url(request)}/api/v1/care/calendar/{token}.ics"
        return Response({"url": url}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Turn my calendar feed off.")
    def delete(self, request: Request) -> Response:
        services.calendar_feed_revoke(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedDocumentView(APIView):
    """The feed itself: calendar apps fetch it without a session; the secret in the URL is the key."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, ICS): bytes}, summary="A clinician's private calendar feed.")
    def get(self, request: Request, token: str) -> HttpResponse:
        found = selectors.calendar_feed_appointments(token=token)
        if found is None:
            raise NotFound("No such calendar.")
        clinician, appointments = found
        return _ics(
            calendar.feed_ics(clinician, appointments, site_url=_site_url(request)),
            "consultations.ics",
        )
