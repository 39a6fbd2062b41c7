"""Care objects built with the models directly, so these tests wait for no other branch's services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from tests.factories import UserFactory
from wellness.care.models import (
    CareOrganisation,
    CareRelationship,
    ClinicianProfile,
    OrganisationAdministrator,
    Profession,
    RelationshipStatus,
    SharingGrant,
)
from wellness.people.models import User

_codes = itertools.count(1)


def make_organisation(
    *, administrator: User | None = None, name: str = "Riverside Clinic"
) -> CareOrganisation:
    organisation = CareOrganisation.objects.create(
        name=name, kind="clinic", created_by=administrator
    )
    if administrator is not None:
        OrganisationAdministrator.objects.create(organisation=organisation, user=administrator)
    return organisation


def make_clinician(
    *,
    verified: bool = True,
    name: str = "Dr. Okafor",
    organisation: CareOrganisation | None = None,
    user: User | None = None,
) -> ClinicianProfile:
    user = user or UserFactory.create(consented=True)
    return ClinicianProfile.objects.create(
        user=user,
        profession=Profession.DOCTOR,
        registration_number=f"GMC-{next(_codes):05d}",
        organisation=organisation,
        professional_name=name,
        invite_code=f"CODE{next(_codes):06d}",
        verified_at=timezone.now() if verified else None,
    )


def make_relationship(
    *, patient: User, clinician: ClinicianProfile, status: str = RelationshipStatus.ACTIVE
) -> CareRelationship:
    return CareRelationship.objects.create(
        patient=patient,
        clinician=clinician,
        status=status,
        started_at=timezone.now() if status == RelationshipStatus.ACTIVE else None,
    )


def make_grant(
    *,
    relationship: CareRelationship,
    category: str,
    starts_at: dt.datetime | None = None,
    days: float = 90,
) -> SharingGrant:
    starts_at = starts_at or timezone.now() - dt.timedelta(minutes=1)
    return SharingGrant.objects.create(
        relationship=relationship,
        category=category,
        starts_at=starts_at,
        expires_at=starts_at + dt.timedelta(days=days),
    )
