"""Reads for rehabilitation: the exercise library as a person may see it.

Shipped exercises are visible to everyone; an organisation's custom exercises only to the
clinicians acting for that organisation (verified, two factors). Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from wellness.care.models import ClinicianProfile, Exercise, Profession
from wellness.care.selectors import acting_clinician
from wellness.core.errors import NotFound
from wellness.people.models import User
from wellness.people.twofactor import two_factor_verified

# The professions that prescribe rehabilitation: therapists, and the doctors and nurses who lead
# cardiac and pulmonary rehabilitation.
THERAPIST_PROFESSIONS = frozenset(
    {
        Profession.PHYSIOTHERAPIST,
        Profession.OCCUPATIONAL_THERAPIST,
        Profession.DOCTOR,
        Profession.NURSE,
    }
)


def acting_therapist(*, user: Any) -> ClinicianProfile:
    """The profile through which ``user`` acts as a rehabilitation therapist now (verified, second
    factor, a prescribing profession); NotFound otherwise."""
    profile = acting_clinician(user=user)
    if profile.profession not in THERAPIST_PROFESSIONS:
        raise NotFound("No such clinician profile.")
    return profile


def _organisation_acted_for(user: User) -> int | None:
    if not two_factor_verified(user):
        return None
    return (
        ClinicianProfile.objects.filter(user_id=user.pk, verified_at__isnull=False)
        .values_list("organisation_id", flat=True)
        .first()
    )


def exercises_visible(
    *,
    user: User,
    body_region: str | None = None,
    equipment: str | None = None,
    position: str | None = None,
) -> QuerySet[Exercise]:
    """The library this person sees, filtered: by region, equipment and position (seated or
    standing, the variants it has)."""
    visible = Q(organisation__isnull=True)
    organisation_id = _organisation_acted_for(user)
    if organisation_id is not None:
        visible |= Q(organisation_id=organisation_id)
    exercises = Exercise.objects.filter(visible)
    if body_region:
        exercises = exercises.filter(body_region=body_region)
    if equipment:
        exercises = exercises.filter(equipment=equipment)
    if position == "seated":
        exercises = exercises.filter(seated=True)
    elif position == "standing":
        exercises = exercises.filter(standing=True)
    return exercises.order_by("name", "id")


def exercise_visible(*, user: User, exercise_id: int) -> Exercise:
    exercise = exercises_visible(user=user).filter(pk=exercise_id).first()
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise
