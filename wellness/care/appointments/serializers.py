"""Input and output shapes of the appointments API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.care.models import Appointment, AvailabilityRule


class AvailabilityRuleInput(serializers.Serializer[Any]):
    first_start_local = serializers.CharField(
        max_length=32,
        help_text="Local wall-clock time the first window opens, e.g. 2030-03-18T09:00, no offset.",
    )
    time_zone = serializers.CharField(max_length=64, help_text="IANA zone, e.g. Europe/Berlin.")
    rrule = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="",
        help_text="RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,TH; empty: this window only.",
    )  # fmt: skip
    window_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    slot_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)

    def validate_first_start_local(self, value: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise serializers.ValidationError(
                "A local date and time like 2030-03-18T09:00."
            ) from exc


class AvailabilityRuleOutput(serializers.ModelSerializer[AvailabilityRule]):
    first_start_local = serializers.SerializerMethodField()

    class Meta:
        model = AvailabilityRule
        fields = [
            "id", "first_start_local", "time_zone", "rrule", "window_minutes", "slot_minutes",
            "buffer_minutes",
        ]  # fmt: skip

    def get_first_start_local(self, obj: AvailabilityRule) -> str:
        local = obj.first_start_local.astimezone(ZoneInfo(obj.time_zone))
        return local.replace(tzinfo=None).isoformat(timespec="minutes")


class SlotOutput(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AppointmentBookingInput(serializers.Serializer[Any]):
    clinician_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    starts_at = serializers.DateTimeField(help_text="A free slot's start, with its offset.")


class RescheduleInput(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField(help_text="Another free slot's start, with its offset.")


class CancelInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class GuestAcceptInput(serializers.Serializer[Any]):
    invitation = serializers.CharField(max_length=80)


class ParticipantOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AppointmentClinicianOutput(ParticipantOutput):
    profession = serializers.CharField()


class AppointmentOutput(serializers.ModelSerializer[Appointment]):
    clinician = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()
    guest = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id", "clinician", "patient", "guest", "starts_at", "ends_at", "status",
            "cancelled_at", "cancel_reason", "ended_at",
        ]  # fmt: skip

    @extend_schema_field(AppointmentClinicianOutput)
    def get_clinician(self, obj: Appointment) -> dict[str, Any]:
        return {
            "id": obj.clinician_id,
            "name": obj.clinician.professional_name,
            "profession": obj.clinician.profession,
        }

    @extend_schema_field(ParticipantOutput)
    def get_patient(self, obj: Appointment) -> dict[str, Any]:
        return {"id": obj.patient_id, "name": obj.patient.profile.display_name}

    @extend_schema_field(ParticipantOutput(allow_null=True))
    def get_guest(self, obj: Appointment) -> dict[str, Any] | None:
        return (
            None
            if obj.guest is None
            else {"id": obj.guest_id, "name": obj.guest.profile.display_name}
        )
