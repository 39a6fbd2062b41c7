"""The classes' contributions to a person's data export and health-data erasure."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from wellness.classes.models import (
    Attendance,
    Booking,
    BookingStatus,
    FitnessClass,
    LiveShare,
)
from wellness.classes.selectors import attendances_for, bookings_for
from wellness.classes.services.booking import booking_cancel
from wellness.people.models import User


def classes_export(user: User) -> dict[str, Any]:
    bookings = bookings_for(user=user).order_by("created_at", "id")
    shares = LiveShare.objects.filter(user=user)
    instructing = FitnessClass.objects.filter(instructor__user=user)
    attendances = attendances_for(user=user).order_by("started_at", "id")
    return {
        "attendances": [
            {
                "class": a.fitness_class.title,
                "occurrence_starts_at": a.occurrence.starts_at.isoformat()
                if a.occurrence
                else None,
                "status": a.status,
                "started_at": a.started_at.isoformat(),
                "completed_at": a.completed_at.isoformat() if a.completed_at else None,
                "workout_id": a.workout_id,
                "metrics": a.metrics,
            }
            for a in attendances
        ],
        "bookings": [
            {
                "class": b.occurrence.fitness_class.title,
                "starts_at": b.occurrence.starts_at.isoformat(),
                "status": b.status,
                "created_at": b.created_at.isoformat(),
            }
            for b in bookings
        ],
        "live_sharing_choices": [
            {
                "occurrence_id": s.occurrence_id,
                "sharing": s.sharing,
                "show_numbers": s.show_numbers,
                "use_pseudonym": s.use_pseudonym,
            }
            for s in shares
        ],
        "classes_taught": [c.title for c in instructing.filter(~Q(title=""))],
    }


def attendances_erase(user_id: int) -> None:
    """Health-data eraser: the class metrics (heart rate, HRV) of every attendance. Idempotent.

    That a class was taken stays, like a booking; the workouts go with the workouts' eraser.
    """
    Attendance.objects.filter(user_id=user_id).update(metrics={})


def account_release(user_id: int) -> None:
    """Account deletion: each place held is cancelled, which offers it to the waiting list; the
    classes taught stay, detached from the instructor (``FitnessClass.instructor`` is set null)."""
    user = User.objects.get(pk=user_id)
    active = Booking.objects.filter(
        user_id=user_id, status__in=(BookingStatus.BOOKED, BookingStatus.WAITLISTED)
    ).values_list("pk", flat=True)
    for booking_id in list(active):
        booking_cancel(user=user, booking_id=booking_id)
