"""Reads for the consultation room: who may be in it now, in which role, and their ICE servers."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from wellness.care.appointments.selectors import Role, appointment_for, room_open
from wellness.care.rooms.ice import IceServer, ice_servers
from wellness.people.models import User
from wellness.workouts.models import Workout, WorkoutStatus

# A live workout the room relays is one still recording that started within this time.
LIVE_WORKOUT_WITHIN = dt.timedelta(hours=12)


@dataclass(frozen=True)
class RoomAccess:
    role: Role
    is_open: bool  # from ten minutes before the start to the end, while booked
    admitted: bool  # the clinician is always in; the others once admitted from the waiting room
    ends_at: dt.datetime
    name: str  # how the others in the room see this person
    patient_id: int


def room_access(*, user: User, appointment_id: int) -> RoomAccess | None:
    """This person's access to the appointment's room, or None if they take no part in it."""
    found = appointment_for(user=user, appointment_id=appointment_id)
    if found is None:
        return None
    appointment, role = found
    if role == "clinician":
        admitted, name = True, appointment.clinician.professional_name
    elif role == "patient":
        admitted, name = appointment.patient_admitted_at is not None, user.profile.display_name
    else:
        admitted, name = appointment.guest_admitted_at is not None, user.profile.display_name
    return RoomAccess(
        role=role,
        is_open=room_open(appointment),
        admitted=admitted,
        ends_at=appointment.ends_at,
        name=name,
        patient_id=appointment.patient_id,
    )


def room_ice_servers(*, user: User) -> list[IceServer]:
    """The ICE servers from the settings, with TURN credentials for this person."""
    return ice_servers(
        stun_urls=settings.WELLVERSE_STUN_URLS,
        turn_urls=settings.WELLVERSE_TURN_URLS,
        turn_secret=settings.WELLVERSE_TURN_SECRET,
        user=str(user.pk),
        now=time.time(),
        ttl_seconds=settings.WELLVERSE_TURN_CREDENTIAL_SECONDS,
    )


def patient_live_workouts(*, patient_id: int) -> set[int]:
    """The patient's workouts recording now (their ingest socket's ``workout-<id>`` groups)."""
    return set(
        Workout.objects.filter(
            user_id=patient_id,
            status=WorkoutStatus.ACTIVE,
            started_at__gte=timezone.now() - LIVE_WORKOUT_WITHIN,
        ).values_list("pk", flat=True)
    )
