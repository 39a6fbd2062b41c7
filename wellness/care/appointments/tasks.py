"""Background work for appointments. Tasks take ids, call one service and are idempotent."""

from __future__ import annotations

from celery import shared_task

from wellness.care.appointments import services


@shared_task(acks_late=True, name="wellness.care.appointments.tasks.appointment_remind_task")
def appointment_remind_task(appointment_id: int, which: str, starts_at: str) -> bool:
    return services.appointment_remind(
        appointment_id=appointment_id, which=which, starts_at=starts_at
    )
