"""Background work of the person app. Tasks take ids, call one service and are idempotent."""

from __future__ import annotations

from celery import shared_task

from wellness import services


@shared_task(acks_late=True)
def health_data_erase_task(user_id: int) -> None:
    services.health_data_erase(user_id=user_id)
