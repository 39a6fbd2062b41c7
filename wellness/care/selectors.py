"""Reads for care: who is a clinician, their relationships and the grants that are live now.

The rule both care packages state the same way: a person *acts as a clinician* only while their
profile is verified and their session passed the second factor; a patient's data of one category
is visible to them only through an active relationship and a live grant of that category
(``starts_at <= now < expires_at``, not revoked). Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from wellness.care.models import (
    CareOrganisation,
    CareRelationship,
    ClinicianProfile,
    ConsultationNote,
    ConsultationNoteVersion,
    OrganisationAdministrator,
    RelationshipStatus,
    SharingGrant,
)
from wellness.classes.models import Attendance, AttendanceStatus
from wellness.core.errors import NotFound
from wellness.people.models import Profile, User
from wellness.people.twofactor import two_factor_verified
from wellness.scoring.models import StoredScore
from wellness.workouts.models import Workout


def is_clinician(user: User) -> bool:
    """Holds a clinician profile (verified or not): two factors are required from enrolment on."""
    return ClinicianProfile.objects.filter(user_id=user.pk).exists()


def clinician_profile_of(*, user: User) -> ClinicianProfile | None:
    """The person's own clinician profile, verified or not."""
    return ClinicianProfile.objects.select_related("organisation").filter(user_id=user.pk).first()


def clinician_acting_now(*, user: Any) -> ClinicianProfile | None:
    """The profile through which ``user`` acts as a clinician now: verified, and this sign-in
    passed the second factor; None for anyone else (an ordinary person, by the care rule)."""
    if not two_factor_verified(user):
        return None
    return (
        ClinicianProfile.objects.select_related("organisation")
        .filter(user_id=user.pk, verified_at__isnull=False)
        .first()
    )


def acting_clinician(*, user: Any) -> ClinicianProfile:
    """:func:`clinician_acting_now`, or NotFound: what a clinician's reads of patients answer."""
    profile = clinician_acting_now(user=user)
    if profile is None:
        raise NotFound("No such clinician profile.")
    return profile


def _live(now: dt.datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}starts_at__lte": now,
            f"{prefix}expires_at__gt": now,
        }
    )


def live_grants() -> QuerySet[SharingGrant]:
    """Grants live now, through an active relationship."""
    return SharingGrant.objects.filter(
        _live(timezone.now()), relationship__status=RelationshipStatus.ACTIVE
    )


def live_grant_categories(clinician_user: Any, patient_id: int) -> set[str]:
    """The categories of ``patient_id``'s data this person may see now as a clinician: empty
    unless they act as a clinician (verified, second factor) with an active relationship."""
    if not two_factor_verified(clinician_user):
        return set()
    return set(
        live_grants()
        .filter(
            relationship__patient_id=patient_id,
            relationship__clinician__user_id=clinician_user.pk,
            relationship__clinician__verified_at__isnull=False,
        )
        .values_list("category", flat=True)
    )


def clinician_for_patient_data(*, user: Any, patient_id: int, category: str) -> ClinicianProfile:
    """The profile through which ``user`` may read this category of the patient's data now, in one
    query; NotFound otherwise (no relationship, no live grant, unverified, no second factor)."""
    if not two_factor_verified(user):
        raise NotFound("No such patient.")
    profile = (
        ClinicianProfile.objects.filter(
            user_id=user.pk,
            verified_at__isnull=False,
            relationships__patient_id=patient_id,
            relationships__status=RelationshipStatus.ACTIVE,
            relationships__grants__category=category,
        )
        .filter(_live(timezone.now(), "relationships__grants__"))
        .only("pk", "user_id", "professional_name")
        .first()
    )
    if profile is None:
        raise NotFound("No such patient.")
    return profile


def organisations_administered_by(*, user: User) -> QuerySet[CareOrganisation]:
    return CareOrganisation.objects.filter(administrators__user=user).order_by("name", "id")


def organisation_administered(*, user: User, organisation_id: int) -> CareOrganisation:
    """An organisation this person administers; any other is as absent as a missing one."""
    organisation = organisations_administered_by(user=user).filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


def organisation_administrators(
    *, organisation: CareOrganisation
) -> QuerySet[OrganisationAdministrator]:
    return organisation.administrators.select_related("user__profile").order_by("added_at", "id")


def organisation_clinicians(*, organisation: CareOrganisation) -> QuerySet[ClinicianProfile]:
    return organisation.clinicians.order_by("professional_name", "id")


def is_organisation_administrator(*, user: User, organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    return OrganisationAdministrator.objects.filter(
        user_id=user.pk, organisation_id=organisation_id
    ).exists()


def _with_grants(relationships: QuerySet[CareRelationship]) -> QuerySet[CareRelationship]:
    return relationships.select_related(
        "clinician__organisation", "patient__profile"
    ).prefetch_related(
        Prefetch("grants", queryset=SharingGrant.objects.order_by("category", "-starts_at", "-id"))
    )


def care_team_of(*, patient: User) -> QuerySet[CareRelationship]:
    """The patient's care team: active relationships and the invitations awaiting their answer.

    Requests the patient sent by email and a clinician has not accepted are not listed: the
    answer to the request did not say whether the address belongs to a clinician, nor does this.
    """
    return _with_grants(
        CareRelationship.objects.filter(
            patient=patient,
            status__in=[RelationshipStatus.ACTIVE, RelationshipStatus.AWAITING_PATIENT],
        ).order_by("-created_at", "-id")
    )


def relationship_of_patient(*, patient: User, relationship_id: int) -> CareRelationship:
    relationship = care_team_of(patient=patient).filter(pk=relationship_id).first()
    if relationship is None:
        raise NotFound("No such care relationship.")
    return relationship


def patients_of(*, clinician: ClinicianProfile) -> QuerySet[CareRelationship]:
    """The clinician's patients: active relationships and requests awaiting the clinician."""
    return _with_grants(
        CareRelationship.objects.filter(
            clinician=clinician,
            status__in=[RelationshipStatus.ACTIVE, RelationshipStatus.AWAITING_CLINICIAN],
        ).order_by("status", "-created_at", "-id")
    )


def grant_is_live(grant: SharingGrant, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return grant.revoked_at is None and grant.starts_at <= now < grant.expires_at


# --- A patient's data, as a clinician reads it (after ``clinician_for_patient_data``) -----------
# The columns of a workout a clinician's list shows, with its score, read as plain rows: a page of
# 100 costs no model instances (the grant check and audit are the per-request cost, not per row).
CARE_WORKOUT_COLUMNS = (
    "id", "sport", "indoor", "started_at", "ended_at", "status",
    "score__status", "score__points", "score__training_load",
)  # fmt: skip


def patient_workouts(*, patient_id: int) -> QuerySet[Workout, dict[str, Any]]:
    """The patient's workouts with their scores, newest first, as rows."""
    rows: QuerySet[Workout, dict[str, Any]] = (
        Workout.objects.filter(user_id=patient_id)
        .order_by("-started_at", "-id")
        .values(*CARE_WORKOUT_COLUMNS)
    )
    return rows


def patient_workout(*, patient_id: int, workout_id: int) -> dict[str, Any]:
    workout = patient_workouts(patient_id=patient_id).filter(pk=workout_id).first()
    if workout is None:
        raise NotFound("No such workout.")
    return workout


def patient_hrv(*, patient_id: int) -> list[dict[str, Any]]:
    """RMSSD and SDNN of the patient's scored workouts that had RR intervals, newest first."""
    rows = (
        StoredScore.objects.filter(workout__user_id=patient_id, metrics__rmssd_ms__isnull=False)
        .select_related("workout")
        .only("metrics", "workout__id", "workout__started_at", "workout__sport")
        .order_by("-workout__started_at", "-workout_id")
    )
    return [
        {
            "workout_id": s.workout.pk,
            "started_at": s.workout.started_at,
            "sport": s.workout.sport,
            "rmssd_ms": s.metrics.get("rmssd_ms"),
            "sdnn_ms": s.metrics.get("sdnn_ms"),
        }
        for s in rows
    ]


def patient_class_metrics(*, patient_id: int) -> list[dict[str, Any]]:
    """The class metrics (time in zone, HRV at start and end, relaxation) of completed classes."""
    attendances = (
        Attendance.objects.filter(user_id=patient_id, status=AttendanceStatus.COMPLETED)
        .select_related("fitness_class")
        .order_by("-started_at", "-id")
    )
    return [
        {
            "attendance_id": a.pk,
            "class_title": a.fitness_class.title,
            "started_at": a.started_at,
            "completed_at": a.completed_at,
            "metrics": a.metrics,
        }
        for a in attendances
    ]


def patient_physiology(*, patient_id: int) -> dict[str, Any]:
    profile = Profile.objects.filter(user_id=patient_id).first()
    if profile is None:
        raise NotFound("No such patient.")
    return {
        "birth_year": profile.birth_year,
        "sex": profile.sex or None,
        "weight_kg": float(profile.weight_kg) if profile.weight_kg is not None else None,
        "resting_heart_rate": profile.resting_heart_rate,
        "max_heart_rate": profile.max_heart_rate,
        "lactate_threshold_heart_rate": profile.lactate_threshold_heart_rate,
    }


def period_described(moments: list[dt.datetime]) -> str:
    """The span of some moments as a person reads it: "March 2026", "February to March 2026"."""
    if not moments:
        return "none yet"
    first, last = min(moments), max(moments)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _notes(notes: QuerySet[ConsultationNote]) -> QuerySet[ConsultationNote]:
    return (
        notes.select_related("relationship")
        .prefetch_related(
            Prefetch("versions", queryset=ConsultationNoteVersion.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")
    )


def notes_for_patient(*, patient: User) -> QuerySet[ConsultationNote]:
    """Every note written about this person, with all versions."""
    return _notes(ConsultationNote.objects.filter(relationship__patient=patient))


def note_with_versions(*, note_id: int) -> ConsultationNote:
    """One note with every version, as the services just wrote it."""
    return _notes(ConsultationNote.objects.filter(pk=note_id)).get()


def notes_by_author(*, clinician: ClinicianProfile, patient_id: int) -> QuerySet[ConsultationNote]:
    """The notes this clinician wrote about one patient (whatever the grants: they are theirs)."""
    return _notes(
        ConsultationNote.objects.filter(author=clinician, relationship__patient_id=patient_id)
    )
