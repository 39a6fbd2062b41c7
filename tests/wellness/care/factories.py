"""Care objects built with the models directly: organisations, clinicians, relationships, grants,
availability and appointments."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.factories import UserFactory
from wellness.care.models import (
    Appointment,
    AvailabilityRule,
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


def clinician_create(*, verified: bool = True, name: str = "Dr. Okafor") -> ClinicianProfile:
    """A consenting person with a clinician profile in a clinic, verified unless told otherwise."""
    return make_clinician(verified=verified, name=name, organisation=make_organisation())


def care_create(
    *,
    clinician: ClinicianProfile,
    patient: User | None = None,
    status: str = RelationshipStatus.ACTIVE,
) -> User:
    """A patient (new unless given) in a care relationship with the clinician."""
    patient = patient or UserFactory.create(consented=True)
    make_relationship(patient=patient, clinician=clinician, status=status)
    return patient


def tomorrow_at(hour: int, minute: int = 0) -> dt.datetime:
    """Tomorrow (UTC) at this time, aware."""
    day = (timezone.now() + dt.timedelta(days=1)).date()
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def daily_rule_create(
    *,
    clinician: ClinicianProfile,
    opens: dt.datetime | None = None,
    window_minutes: int = 120,
    slot_minutes: int = 30,
    buffer_minutes: int = 10,
    rrule: str = "FREQ=DAILY",
) -> AvailabilityRule:
    """Every day from tomorrow 09:00 UTC for two hours: 30-minute slots 10 minutes apart (09:00,
    09:40, 10:20)."""
    return AvailabilityRule.objects.create(
        clinician=clinician,
        first_start_local=(opens or tomorrow_at(9)).astimezone(ZoneInfo("UTC")),
        time_zone="UTC",
        rrule=rrule,
        window_minutes=window_minutes,
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
    )


def appointment_create(
    *, clinician: ClinicianProfile, patient: User, starts_at: dt.datetime, minutes: int = 30
) -> Appointment:
    return Appointment.objects.create(
        clinician=clinician,
        patient=patient,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
    )
