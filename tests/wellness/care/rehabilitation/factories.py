"""Rehabilitation test data: a physiotherapist in an organisation caring for a patient, and a
small valid program (plan, limits, progression) over the shipped library."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tests.wellness.care.factories import (
    make_clinician,
    make_grant,
    make_organisation,
    make_relationship,
)
from wellness.care.models import (
    CareRelationship,
    ClinicianProfile,
    Exercise,
    GrantCategory,
    Profession,
    RehabProgram,
)
from wellness.care.rehabilitation import services
from wellness.people.models import Profile, User


def therapist_create(*, verified: bool = True, name: str = "Ms. Ito") -> ClinicianProfile:
    profile = make_clinician(verified=verified, name=name, organisation=make_organisation())
    profile.profession = Profession.PHYSIOTHERAPIST
    profile.save(update_fields=["profession"])
    return profile


def patient_create(*, resting_hr: int | None = 60, max_hr: int | None = 180) -> User:
    patient = UserFactory.create(consented=True)
    Profile.objects.filter(user=patient).update(
        resting_heart_rate=resting_hr, max_heart_rate=max_hr
    )
    return patient


def care_with_grant(
    *, therapist: ClinicianProfile, patient: User, category: str = GrantCategory.REHABILITATION
) -> CareRelationship:
    relationship = make_relationship(patient=patient, clinician=therapist)
    make_grant(relationship=relationship, category=category)
    return relationship


def shipped(slug: str) -> Exercise:
    return Exercise.objects.get(organisation__isnull=True, slug=slug)


def plan_json(*phases: int) -> dict[str, Any]:
    """Phases of sit-to-stand and marching (one per entry: its weeks)."""
    sit, march = shipped("sit-to-stand").pk, shipped("marching-in-place").pk
    return {
        "phases": [
            {
                "name": f"Phase {i + 1}",
                "weeks": weeks,
                "sessions_per_week": 3,
                "sessions": [
                    {
                        "name": "A",
                        "exercises": [
                            {"exercise_id": sit, "sets": 2, "reps": 8 + 2 * i, "rest_s": 60},
                            {"exercise_id": march, "sets": 1, "duration_s": 120, "rest_s": 0},
                        ],
                    }
                ],
            }
            for i, weeks in enumerate(phases or (2,))
        ]
    }


LIMITS: dict[str, Any] = {
    "ceiling": {"rule": "hrr_percent", "percent": 70},
    "target_zone": {"unit": "hrr_percent", "low": 40, "high": 60},
    "max_rpe": 5,
    "target_rpe": 4,
    "pain_stop": 5,
}


def program_create(
    *, therapist: ClinicianProfile, patient: User, phases: tuple[int, ...] = (2, 2)
) -> RehabProgram:
    """Prescribed through the service (the therapist needs an active relationship)."""
    return services.program_prescribe(
        clinician_user=signed_in(therapist.user),
        patient_id=patient.pk,
        title="Knee rehabilitation",
        plan=plan_json(*phases),
        limits=LIMITS,
        progression={"consecutive_sessions": 2, "max_pain": 3},
    )


def signed_in(user: User) -> User:
    """The person as a request sees them after signing in with their second factor."""
    user.otp_device = TOTPDevice.objects.get_or_create(user=user, confirmed=True)[0]  # type: ignore[attr-defined]
    return user
