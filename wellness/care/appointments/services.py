"""Writes for appointments: availability, booking, rescheduling, cancelling, reminders, the room's
waiting room and guest, and the clinician's calendar feed.

Every change to a clinician's bookings takes the clinician's profile row lock first
(``_locked_clinician``), so bookings and moves of one clinician are serialised while the overlap
check runs; the partial unique constraint on (clinician, starts_at) backs it in the database.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from wellness.care import selectors as care_selectors
from wellness.care.appointments import selectors
from wellness.care.appointments.jobs import APPOINTMENT_REMIND_JOB
from wellness.care.appointments.slots import AvailabilityRule as Rule
from wellness.care.appointments.slots import rule_problems
from wellness.care.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityRule,
    CalendarFeed,
    ClinicianProfile,
)
from wellness.care.rooms.groups import room_group
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.core.jobs import job_enqueue_on_commit
from wellness.core.transactions import broadcast_on_commit, notify_on_commit
from wellness.people.models import User

# Reminders go out this long before the start (a notification to the patient and the clinician).
REMINDERS = {"day_before": dt.timedelta(hours=24), "soon": dt.timedelta(minutes=15)}
MAX_RULES_PER_CLINICIAN = 50


def _acting_clinician(user: User) -> ClinicianProfile:
    clinician = care_selectors.clinician_acting_now(user=user)
    if clinician is None:
        raise Forbidden(
            "Only a verified clinician signed in with two factors publishes availability.",
            code="not_acting_clinician",
        )
    return clinician


def availability_rule_create(
    *,
    user: User,
    first_start_local: dt.datetime,
    time_zone: str,
    rrule: str,
    window_minutes: int,
    slot_minutes: int,
    buffer_minutes: int,
) -> AvailabilityRule:
    """Publish a recurring window of availability (see ``slots``)."""
    clinician = _acting_clinician(user)
    rule = Rule(
        first_start_local=first_start_local,
        time_zone=time_zone,
        rrule=rrule,
        window_minutes=window_minutes,
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
    )
    problems = rule_problems(rule)
    if problems:
        raise ValidationFailed("This availability cannot be used.", fields=problems)
    if AvailabilityRule.objects.filter(clinician=clinician).count() >= MAX_RULES_PER_CLINICIAN:
        raise Conflict("Remove an availability rule first.", code="too_many_rules")
    return AvailabilityRule.objects.create(
        clinician=clinician,
        first_start_local=first_start_local.replace(tzinfo=ZoneInfo(time_zone)),
        time_zone=time_zone,
        rrule=rrule,
        window_minutes=window_minutes,
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
    )


def availability_rule_delete(*, user: User, rule_id: int) -> None:
    """Withdraw a rule; appointments already booked stay."""
    clinician = _acting_clinician(user)
    deleted, _ = AvailabilityRule.objects.filter(pk=rule_id, clinician=clinician).delete()
    if not deleted:
        raise NotFound("No such availability rule.")


def _locked_clinician(clinician_id: int) -> ClinicianProfile:
    """The clinician's row, locked until the transaction ends: one booking change at a time."""
    clinician = ClinicianProfile.objects.select_for_update().filter(pk=clinician_id).first()
    if clinician is None:
        raise NotFound("No such clinician.")
    return clinician


def _check_slot(
    *, clinician_id: int, starts_at: dt.datetime, now: dt.datetime, excluding: int | None = None
) -> dt.datetime:
    """The end of the free slot starting at ``starts_at``; refused if there is none (taken, not
    offered, or past). Call under the clinician's lock."""
    slots = selectors.clinician_free_slots(
        clinician_id=clinician_id,
        start=starts_at,
        end=starts_at + dt.timedelta(seconds=1),
        now=now,
        excluding=excluding,
    )
    for slot in slots:
        if slot.starts_at == starts_at:
            return slot.ends_at
    raise Conflict("That time is not free; choose another slot.", code="slot_unavailable")


def _event(appointment: Appointment, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "appointment_id": appointment.pk,
        "clinician": appointment.clinician.professional_name,
        "starts_at": appointment.starts_at.isoformat(),
        **extra,
    }


def _queue_reminders(appointment: Appointment, *, now: dt.datetime) -> None:
    """Queue both reminders for the appointment's start (a reminder due already goes now; one
    queued for an earlier start finds the start moved and does nothing)."""
    for which, lead in REMINDERS.items():
        due = appointment.starts_at - lead
        job_enqueue_on_commit(
            APPOINTMENT_REMIND_JOB,
            appointment.pk,
            which,
            appointment.starts_at.isoformat(),
            eta=max(due, now),
        )


def appointment_book(*, user: User, clinician_id: int, starts_at: dt.datetime) -> Appointment:
    """Book a free slot with a verified clinician the person is in active care with.

    An unverified clinician, or one the person is not in active care with, is not found (404).
    """
    now = timezone.now()
    if selectors.bookable_clinician(clinician_id=clinician_id) is None or not (
        selectors.in_active_care(patient_id=user.pk, clinician_id=clinician_id)
    ):
        raise NotFound("No such clinician.")
    if timezone.is_naive(starts_at):
        raise ValidationFailed(
            "Give the start with its offset.", fields={"starts_at": ["No offset."]}
        )
    starts_at = starts_at.astimezone(dt.UTC)
    with transaction.atomic():
        clinician = _locked_clinician(clinician_id)
        ends_at = _check_slot(clinician_id=clinician.pk, starts_at=starts_at, now=now)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    clinician=clinician, patient=user, starts_at=starts_at, ends_at=ends_at
                )
        except IntegrityError as exc:  # the constraint behind the lock
            raise Conflict(
                "That time is not free; choose another slot.", code="slot_unavailable"
            ) from exc
        _queue_reminders(appointment, now=now)
        notify_on_commit(
            user_id=clinician.user_id,
            event=_event(appointment, "appointment_booked"),
        )
    return appointment


def _participant_appointment(
    user: User, appointment_id: int, *, lock: bool
) -> tuple[Appointment, str]:
    found = selectors.appointment_for(user=user, appointment_id=appointment_id)
    if found is None or found[1] == "guest":
        raise NotFound("No such appointment.")
    appointment, role = found
    if lock:
        _locked_clinician(appointment.clinician_id)
        appointment = Appointment.objects.select_related("clinician", "patient").get(
            pk=appointment.pk
        )
    return appointment, role


def _other_party(appointment: Appointment, role: str) -> int:
    return appointment.patient_id if role == "clinician" else appointment.clinician.user_id


def appointment_reschedule(
    *, user: User, appointment_id: int, starts_at: dt.datetime
) -> Appointment:
    """Move a booked appointment to another free slot; the other party is notified, the reminders
    follow the new time and an open room is closed (it reopens ten minutes before the new start)."""
    now = timezone.now()
    if timezone.is_naive(starts_at):
        raise ValidationFailed(
            "Give the start with its offset.", fields={"starts_at": ["No offset."]}
        )
    starts_at = starts_at.astimezone(dt.UTC)
    with transaction.atomic():
        appointment, role = _participant_appointment(user, appointment_id, lock=True)
        if appointment.status != AppointmentStatus.BOOKED or appointment.ends_at <= now:
            raise Conflict("Only an upcoming appointment can be moved.", code="not_upcoming")
        previous = appointment.starts_at
        appointment.ends_at = _check_slot(
            clinician_id=appointment.clinician_id,
            starts_at=starts_at,
            now=now,
            excluding=appointment.pk,
        )
        appointment.starts_at = starts_at
        appointment.reminded_day_before_at = appointment.reminded_soon_at = None
        appointment.patient_admitted_at = appointment.guest_admitted_at = None
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError as exc:
            raise Conflict(
                "That time is not free; choose another slot.", code="slot_unavailable"
            ) from exc
        _queue_reminders(appointment, now=now)
        notify_on_commit(
            user_id=_other_party(appointment, role),
            event=_event(
                appointment, "appointment_rescheduled", previous_starts_at=previous.isoformat()
            ),
        )
        _close_room_on_commit(appointment, reason="rescheduled")
    return appointment


def appointment_cancel(*, user: User, appointment_id: int, reason: str = "") -> Appointment:
    """Cancel an upcoming appointment, with an optional reason the other party is notified of."""
    now = timezone.now()
    with transaction.atomic():
        appointment, role = _participant_appointment(user, appointment_id, lock=True)
        if appointment.status == AppointmentStatus.CANCELLED:
            return appointment
        if appointment.status != AppointmentStatus.BOOKED or appointment.ends_at <= now:
            raise Conflict("Only an upcoming appointment can be cancelled.", code="not_upcoming")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancelled_by = user
        appointment.cancel_reason = reason
        appointment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        notify_on_commit(
            user_id=_other_party(appointment, role),
            event=_event(appointment, "appointment_cancelled", reason=reason),
        )
        if appointment.guest_id is not None:
            notify_on_commit(
                user_id=appointment.guest_id,
                event=_event(appointment, "appointment_cancelled", reason=reason),
            )
        _close_room_on_commit(appointment, reason="cancelled")
    return appointment


def appointment_end(*, user: User, appointment_id: int) -> Appointment:
    """The clinician ends the consultation: the room closes for everyone."""
    with transaction.atomic():
        appointment, role = _participant_appointment(user, appointment_id, lock=True)
        if role != "clinician":
            raise NotFound("No such appointment.")
        if appointment.status != AppointmentStatus.BOOKED:
            return appointment
        appointment.status = AppointmentStatus.ENDED
        appointment.ended_at = timezone.now()
        appointment.save(update_fields=["status", "ended_at"])
        _close_room_on_commit(appointment, reason="ended")
    return appointment


def appointment_remind(*, appointment_id: int, which: str, starts_at: str) -> bool:
    """Send one reminder (``day_before`` or ``soon``) to the patient and the clinician, once, and
    only if the appointment is still booked for ``starts_at``. True if this call sent it."""
    field = {"day_before": "reminded_day_before_at", "soon": "reminded_soon_at"}[which]
    with transaction.atomic():
        sent = Appointment.objects.filter(
            pk=appointment_id,
            status=AppointmentStatus.BOOKED,
            starts_at=dt.datetime.fromisoformat(starts_at),
            **{f"{field}__isnull": True},
        ).update(**{field: timezone.now()})
        if not sent:
            return False
        appointment = Appointment.objects.select_related("clinician").get(pk=appointment_id)
        for user_id in (appointment.patient_id, appointment.clinician.user_id):
            notify_on_commit(
                user_id=user_id, event=_event(appointment, "appointment_reminder", lead=which)
            )
    return True


# The room: waiting room, guest, closing.


def _close_room_on_commit(appointment: Appointment, *, reason: str) -> None:
    broadcast_on_commit(room_group(appointment.pk), {"type": "room.close", "reason": reason})


def room_admit(*, user: User, appointment_id: int, who: str) -> Appointment:
    """The clinician lets the patient or the guest in from the waiting room."""
    if who not in ("patient", "guest"):
        raise ValidationFailed("Admit the patient or the guest.", fields={"who": ["Unknown."]})
    found = selectors.appointment_for(user=user, appointment_id=appointment_id)
    if found is None or found[1] != "clinician":
        raise NotFound("No such appointment.")
    field = f"{who}_admitted_at"
    Appointment.objects.filter(pk=appointment_id, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    return Appointment.objects.get(pk=appointment_id)


def guest_invitation_create(*, user: User, appointment_id: int) -> str:
    """A code the patient or the clinician passes to a third participant (a caregiver, an
    interpreter); a new code replaces the last one and removes a guest who already joined."""
    with transaction.atomic():
        appointment, _ = _participant_appointment(user, appointment_id, lock=True)
        if appointment.status != AppointmentStatus.BOOKED:
            raise Conflict("Only an upcoming appointment takes a guest.", code="not_upcoming")
        code = secrets.token_urlsafe(18)
        appointment.guest_code_digest = selectors.digest(code)
        appointment.guest = None
        appointment.guest_admitted_at = None
        appointment.save(update_fields=["guest_code_digest", "guest", "guest_admitted_at"])
    return f"{appointment.pk}.{code}"


def guest_invitation_accept(*, user: User, invitation: str) -> Appointment:
    """The invited person joins the appointment as its guest with the code they were given."""
    appointment_id, _, code = invitation.partition(".")
    if not appointment_id.isdigit() or not code:
        raise NotFound("No such invitation.")
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(
                pk=int(appointment_id),
                status=AppointmentStatus.BOOKED,
                guest_code_digest=selectors.digest(code),
            )
            .first()
        )
        if appointment is None:
            raise NotFound("No such invitation.")
        if appointment.patient_id == user.pk or appointment.clinician.user_id == user.pk:
            raise Conflict("You already take part in this appointment.", code="already_participant")
        appointment.guest = user
        appointment.guest_code_digest = ""  # single use
        appointment.save(update_fields=["guest", "guest_code_digest"])
    return appointment


def appointments_close_for_care_ended(*, patient_id: int, clinician_id: int) -> int:
    """Care between this patient and clinician ended (the relationship ended, or the clinician lost
    their verification): cancel their upcoming appointments and close any open room. Returns how
    many were cancelled. The hook care-core's relationship-end service calls."""
    with transaction.atomic():
        _locked_clinician(clinician_id)
        upcoming = list(
            Appointment.objects.select_related("clinician").filter(
                patient_id=patient_id,
                clinician_id=clinician_id,
                status=AppointmentStatus.BOOKED,
                ends_at__gt=timezone.now(),
            )
        )
        for appointment in upcoming:
            appointment.status = AppointmentStatus.CANCELLED
            appointment.cancelled_at = timezone.now()
            appointment.cancel_reason = "care ended"
            appointment.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            _close_room_on_commit(appointment, reason="care_ended")
    return len(upcoming)


def appointments_on_sight_ended(clinician_user_id: int, patient_id: int) -> None:
    """Care-core's grant-end listener: a grant ending leaves the appointments alone while the care
    goes on; once it is over (relationship ended, clinician no longer verified) they are cancelled
    and any open room closes."""
    profile = ClinicianProfile.objects.filter(user_id=clinician_user_id).first()
    if profile is None:
        return
    if profile.verified_at is not None and selectors.in_active_care(
        patient_id=patient_id, clinician_id=profile.pk
    ):
        return
    appointments_close_for_care_ended(patient_id=patient_id, clinician_id=profile.pk)


def calendar_feed_regenerate(*, user: User) -> str:
    """A new secret for the clinician's calendar feed; the old URL stops working."""
    clinician = _acting_clinician(user)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        clinician=clinician,
        defaults={"token_digest": selectors.digest(token), "created_at": timezone.now()},
    )
    return token


def calendar_feed_revoke(*, user: User) -> None:
    clinician = _acting_clinician(user)
    CalendarFeed.objects.filter(clinician=clinician).delete()
