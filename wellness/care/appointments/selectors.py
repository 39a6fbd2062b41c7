"""Reads for appointments: who acts as a clinician, a clinician's free slots, a person's
appointments, the room's participants and a calendar feed by its secret."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from wellness.care.appointments.slots import AvailabilityRule as Rule
from wellness.care.appointments.slots import Slot, free_slots
from wellness.care.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityRule,
    CalendarFeed,
    CareRelationship,
    ClinicianProfile,
    RelationshipStatus,
)
from wellness.care.selectors import clinician_acting_now
from wellness.people.models import User

# The room opens this long before the appointment starts.
ROOM_OPENS_BEFORE = dt.timedelta(minutes=10)
# Slots are offered this far ahead at most.
BOOKING_HORIZON = dt.timedelta(days=120)

Role = Literal["clinician", "patient", "guest"]


def bookable_clinician(*, clinician_id: int) -> ClinicianProfile | None:
    """A clinician patients may book: verified (an unverified one is not found)."""
    return ClinicianProfile.objects.filter(pk=clinician_id, verified_at__isnull=False).first()


def in_active_care(*, patient_id: int, clinician_id: int) -> bool:
    """Whether the person has an ACTIVE care relationship with this clinician.

    The appointments' own query (care-core's selectors answer what a clinician may *see*; booking
    needs only this)."""
    return CareRelationship.objects.filter(
        patient_id=patient_id, clinician_id=clinician_id, status=RelationshipStatus.ACTIVE
    ).exists()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pure_rule(rule: AvailabilityRule) -> Rule:
    zone = ZoneInfo(rule.time_zone)
    return Rule(
        first_start_local=rule.first_start_local.astimezone(zone).replace(tzinfo=None),
        time_zone=rule.time_zone,
        rrule=rule.rrule,
        window_minutes=rule.window_minutes,
        slot_minutes=rule.slot_minutes,
        buffer_minutes=rule.buffer_minutes,
    )


def booked_intervals(
    *, clinician_id: int, start: dt.datetime, end: dt.datetime, excluding: int | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The clinician's booked appointments overlapping ``[start, end)``."""
    booked = Appointment.objects.filter(
        clinician_id=clinician_id,
        status=AppointmentStatus.BOOKED,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if excluding is not None:
        booked = booked.exclude(pk=excluding)
    return list(booked.values_list("starts_at", "ends_at"))


def clinician_free_slots(
    *,
    clinician_id: int,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    excluding: int | None = None,
) -> list[Slot]:
    """The clinician's free slots beginning in ``[start, end)``, none in the past nor beyond the
    booking horizon; ``excluding`` an appointment being moved (its own time counts as free)."""
    now = now or timezone.now()
    start, end = max(start, now), min(end, now + BOOKING_HORIZON)
    if end <= start:
        return []
    rules = [pure_rule(r) for r in AvailabilityRule.objects.filter(clinician_id=clinician_id)]
    busy = booked_intervals(
        clinician_id=clinician_id,
        start=start - dt.timedelta(days=1),
        end=end + dt.timedelta(days=1),
        excluding=excluding,
    )
    return free_slots(rules, start=start, end=end, busy=busy)


def availability_rules_of(*, clinician: ClinicianProfile) -> QuerySet[AvailabilityRule]:
    return AvailabilityRule.objects.filter(clinician=clinician).order_by("id")


def appointments_of(*, user: User) -> QuerySet[Appointment]:
    """The person's appointments: as patient, as guest, and as clinician when acting as one."""
    clinician = clinician_acting_now(user=user)
    mine = Q(patient_id=user.pk) | Q(guest_id=user.pk)
    if clinician is not None:
        mine |= Q(clinician_id=clinician.pk)
    return (
        Appointment.objects.filter(mine)
        .select_related("clinician__user", "patient__profile", "guest__profile")
        .order_by("starts_at", "id")
    )


def appointment_role(user: User, appointment: Appointment) -> Role | None:
    """How this person takes part in the appointment, or None: a clinician only when acting as one."""
    if appointment.patient_id == user.pk:
        return "patient"
    if appointment.guest_id is not None and appointment.guest_id == user.pk:
        return "guest"
    if appointment.clinician.user_id == user.pk and clinician_acting_now(user=user) is not None:
        return "clinician"
    return None


def appointment_for(*, user: User, appointment_id: int) -> tuple[Appointment, Role] | None:
    """The appointment and the person's role in it; None for anyone else (a 404)."""
    appointment = (
        Appointment.objects.select_related("clinician__user", "patient__profile", "guest__profile")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return None
    role = appointment_role(user, appointment)
    return None if role is None else (appointment, role)


def room_open(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """The room is open from ten minutes before the start to the end, while booked."""
    now = now or timezone.now()
    return (
        appointment.status == AppointmentStatus.BOOKED
        and appointment.starts_at - ROOM_OPENS_BEFORE <= now < appointment.ends_at
    )


def calendar_feed_appointments(*, token: str) -> tuple[ClinicianProfile, list[Appointment]] | None:
    """The clinician whose feed this secret opens and their booked appointments (from a month
    back), or None for an unknown or revoked secret."""
    feed = (
        CalendarFeed.objects.select_related("clinician").filter(token_digest=digest(token)).first()
    )
    if feed is None:
        return None
    appointments = Appointment.objects.filter(
        clinician=feed.clinician,
        status=AppointmentStatus.BOOKED,
        ends_at__gte=timezone.now() - dt.timedelta(days=31),
    ).order_by("starts_at", "id")
    return feed.clinician, list(appointments)
