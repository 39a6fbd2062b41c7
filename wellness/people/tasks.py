"""Background work for the person: erasure after consent is withdrawn. Takes ids; idempotent."""

from __future__ import annotations

from celery import shared_task

from wellness.people.erasure import health_data_erase


# The name predates the sub-package: messages already queued must still find the task.
@shared_task(name="wellness.tasks.health_data_erase_task", acks_late=True)
def health_data_erase_task(user_id: int) -> None:
    health_data_erase(user_id=user_id)
