"""Reads for care: who is a clinician, their relationships and the grants that are live now."""

from __future__ import annotations

from wellness.care.models import ClinicianProfile
from wellness.people.models import User


def is_clinician(user: User) -> bool:
    """Holds a clinician profile (verified or not): two factors are required from enrolment on."""
    return ClinicianProfile.objects.filter(user_id=user.pk).exists()
