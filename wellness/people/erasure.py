"""Erasure of a person's health data, app by app through the privacy registry. Idempotent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wellness.core import privacy
from wellness.people.models import Profile


def health_data_erase(*, user_id: int) -> None:
    """Delete every piece of health data of this user, app by app. Idempotent."""
    with transaction.atomic():
        Profile.objects.filter(user_id=user_id).update(
            **dict.fromkeys(Profile.HEALTH_FIELDS), updated_at=timezone.now()
        )
        for eraser in privacy.health_data_erasers().values():
            eraser(user_id)
