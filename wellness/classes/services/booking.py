"""Writes for bookings: booking, the waiting list, cancelling and reminders."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wellness.classes import selectors
from wellness.classes.jobs import BOOKING_REMIND_JOB
from wellness.classes.models import (
    Booking,
    BookingStatus,
    ClassOccurrence,
    SessionStatus,
)
from wellness.core.errors import Conflict, NotFound
from wellness.core.jobs import job_enqueue_on_commit
from wellness.core.transactions import notify_on_commit
from wellness.people.models import User

REMINDER_LEAD = dt.timedelta(minutes=30)


def booking_create(*, user: User, occurrence_id: int) -> Booking:
    """Book a place, or a place on the waiting list when the class is full.

    The occurrence row is locked while counting, so parallel bookings are serialised and never
    exceed capacity; the check constraint on ``booked_count`` backs this up in the database.
    """
    with transaction.atomic():
        occurrence = (
            ClassOccurrence.objects.select_for_update()
            .filter(pk=occurrence_id)
            .select_related("fitness_class")
            .first()
        )
        if (
            occurrence is None
            or selectors.class_get(user=user, class_id=occurrence.fitness_class_id) is None
        ):
            raise NotFound("No such class occurrence.")
        if (
            occurrence.status == SessionStatus.ENDED
            or occurrence.starts_at
            + dt.timedelta(seconds=occurrence.fitness_class.duration_seconds)
            < timezone.now()
        ):
            raise Conflict("This class is over; book a later one.", code="class_over")
        if (
            Booking.objects.filter(occurrence=occurrence, user=user)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise Conflict("You already have a booking for this class.", code="already_booked")
        if occurrence.booked_count < occurrence.capacity:
            ClassOccurrence.objects.filter(pk=occurrence.pk).update(
                booked_count=F("booked_count") + 1
            )
            status = BookingStatus.BOOKED
        else:
            status = BookingStatus.WAITLISTED
        try:
            with transaction.atomic():
                booking = Booking.objects.create(occurrence=occurrence, user=user, status=status)
        except IntegrityError as exc:  # a double click from the same person, in parallel
            raise Conflict(
                "You already have a booking for this class.", code="already_booked"
            ) from exc
        if status == BookingStatus.BOOKED:
            _queue_reminder(booking, occurrence)
    return booking


def _queue_reminder(booking: Booking, occurrence: ClassOccurrence) -> None:
    eta = max(occurrence.starts_at - REMINDER_LEAD, timezone.now())
    job_enqueue_on_commit(BOOKING_REMIND_JOB, booking.pk, eta=eta)


def booking_cancel(*, user: User, booking_id: int) -> Booking:
    """Cancel a booking; a freed place goes to the first person on the waiting list."""
    with transaction.atomic():
        booking = Booking.objects.filter(pk=booking_id, user=user).first()
        if booking is None:
            raise NotFound("No such booking.")
        occurrence = ClassOccurrence.objects.select_for_update().get(pk=booking.occurrence_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        was_booked = booking.status == BookingStatus.BOOKED
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        if was_booked:
            first_waiting = (
                Booking.objects.select_for_update()
                .filter(occurrence=occurrence, status=BookingStatus.WAITLISTED)
                .order_by("created_at", "id")
                .first()
            )
            if first_waiting is None:
                ClassOccurrence.objects.filter(pk=occurrence.pk).update(
                    booked_count=F("booked_count") - 1
                )
            else:
                first_waiting.status = BookingStatus.BOOKED
                first_waiting.promoted_at = timezone.now()
                first_waiting.save(update_fields=["status", "promoted_at"])
                notify_on_commit(
                    user_id=first_waiting.user_id,
                    event={
                        "kind": "class_place_offered",
                        "booking_id": first_waiting.pk,
                        "occurrence_id": occurrence.pk,
                        "title": occurrence.fitness_class.title,
                        "starts_at": occurrence.starts_at.isoformat(),
                    },
                )
                _queue_reminder(first_waiting, occurrence)
    return booking


def booking_remind(*, booking_id: int) -> bool:
    """Send the class reminder once; True if this call sent it."""
    with transaction.atomic():
        sent = Booking.objects.filter(
            pk=booking_id, status=BookingStatus.BOOKED, reminded_at__isnull=True
        ).update(reminded_at=timezone.now())
        if not sent:
            return False
        booking = Booking.objects.select_related("occurrence__fitness_class").get(pk=booking_id)
        notify_on_commit(
            user_id=booking.user_id,
            event={
                "kind": "class_reminder",
                "booking_id": booking.pk,
                "occurrence_id": booking.occurrence_id,
                "title": booking.occurrence.fitness_class.title,
                "starts_at": booking.occurrence.starts_at.isoformat(),
            },
        )
    return True
