"""Background work for care. Tasks take ids, call one service and are idempotent."""

from __future__ import annotations

from celery import shared_task

from wellness.care import services


@shared_task(acks_late=True)
def sharing_grant_expire_task(grant_id: int) -> bool:
    return services.sharing_grant_expire(grant_id=grant_id)
