"""Background work for classes. Tasks take ids, call one service and are idempotent."""

from __future__ import annotations

from celery import shared_task

from wellness.classes import services


@shared_task(acks_late=True)
def booking_remind_task(booking_id: int) -> bool:
    return services.booking_remind(booking_id=booking_id)


@shared_task(acks_late=True)
def occurrence_attendances_complete_task(occurrence_id: int) -> int:
    return services.occurrence_attendances_complete(occurrence_id=occurrence_id)


@shared_task(acks_late=True)
def session_end_overdue_task(occurrence_id: int) -> bool:
    return services.session_end_overdue(occurrence_id=occurrence_id)
