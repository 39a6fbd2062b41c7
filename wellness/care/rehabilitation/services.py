"""Writes for rehabilitation: custom exercises."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from wellness.care.models import Exercise
from wellness.care.rehabilitation.selectors import acting_therapist
from wellness.core.errors import Forbidden, ValidationFailed


def _slug_free(organisation_id: int, name: str) -> str:
    base = slugify(name)[:70] or "exercise"
    taken = set(
        Exercise.objects.filter(organisation_id=organisation_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def exercise_create(
    *,
    clinician_user: Any,
    name: str,
    instructions: str,
    body_region: str,
    equipment: str,
    seated: bool,
    standing: bool,
    precautions: str = "",
) -> Exercise:
    """A therapist's own exercise, shared with the clinicians of their organisation only."""
    therapist = acting_therapist(user=clinician_user)
    if therapist.organisation_id is None:
        raise Forbidden(
            "Custom exercises belong to an organisation; join one to add them.",
            code="no_organisation",
        )
    if not (seated or standing):
        raise ValidationFailed(
            "An exercise is done seated, standing or both.",
            fields={"seated": ["Choose seated, standing or both."]},
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                return Exercise.objects.create(
                    organisation_id=therapist.organisation_id,
                    created_by=therapist,
                    slug=_slug_free(therapist.organisation_id, name),
                    name=name.strip(),
                    instructions=instructions.strip(),
                    body_region=body_region,
                    equipment=equipment,
                    seated=seated,
                    standing=standing,
                    precautions=precautions.strip(),
                )
        except IntegrityError:  # a colleague added one of the same name at the same moment
            raise ValidationFailed(
                "An exercise of that name was just added; try again.",
                fields={"name": ["Taken a moment ago."]},
            ) from None
