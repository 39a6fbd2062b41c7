"""The clinician dashboard's recent alerts (issue 21, point 6): sharing a patient revoked lately
or that ends within a week, and consultations a patient cancelled; only the acting clinician's own
patients, newest first; anyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import (
    appointment_create,
    make_clinician,
    make_grant,
    make_relationship,
)
from wellness.care.models import CareRelationship, ClinicianProfile, GrantCategory
from wellness.care.services import sharing_grant_revoke
from wellness.people.models import AccessLogEntry, User

pytestmark = pytest.mark.django_db


def _alerts(client_for: ClientFor, clinician: ClinicianProfile) -> list[dict[str, object]]:
    response = client_for(clinician.user).get("/api/v1/care/alerts/")
    assert response.status_code == 200, response.content
    alerts: list[dict[str, object]] = response.json()
    return alerts


def test_a_revoked_grant_and_one_ending_soon_are_alerts_and_a_long_one_is_not(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    revoked = make_grant(relationship=relationship, category=GrantCategory.SAMPLES)
    sharing_grant_revoke(patient=patient, grant_id=revoked.pk)
    ending = make_grant(relationship=relationship, category=GrantCategory.HRV, days=5)
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS, days=90)

    alerts = _alerts(client_for, clinician)

    name = patient.profile.display_name
    assert [(a["kind"], a["patient_id"], a["message"]) for a in alerts] == [
        (
            "grant_expiring",
            patient.pk,
            f"{name}'s sharing of heart-rate variability with you ends soon.",
        ),
        (
            "grant_revoked",
            patient.pk,
            f"{name} stopped sharing heart rate and other samples with you.",
        ),
    ]
    assert alerts[0]["about_at"] == ending.expires_at.isoformat().replace("+00:00", "Z")
    # Sharing and appointments are no health data: showing them records no read.
    assert not AccessLogEntry.objects.exists()


def test_an_old_revocation_and_an_ended_care_raise_no_alert(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    old = make_grant(relationship=relationship, category=GrantCategory.SAMPLES)
    old.revoked_at = timezone.now() - dt.timedelta(days=8)
    old.save()
    other_patient = UserFactory.create(consented=True)
    ended = make_relationship(patient=other_patient, clinician=clinician, status="ended")
    make_grant(relationship=ended, category=GrantCategory.HRV, days=2)

    assert _alerts(client_for, clinician) == []


def test_a_consultation_the_patient_cancelled_is_an_alert_and_ones_own_is_not(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    soon = timezone.now() + dt.timedelta(days=2)
    by_patient = appointment_create(clinician=clinician, patient=patient, starts_at=soon)
    by_clinician = appointment_create(
        clinician=clinician, patient=patient, starts_at=soon + dt.timedelta(hours=1)
    )
    assert (
        client_for(patient).post(f"/api/v1/care/appointments/{by_patient.pk}/cancel/").status_code
        == 200
    )
    cancelled = client_for(clinician.user).post(
        f"/api/v1/care/appointments/{by_clinician.pk}/cancel/"
    )
    assert cancelled.status_code == 200

    alerts = _alerts(client_for, clinician)

    assert [(a["kind"], a["about_at"]) for a in alerts] == [
        ("appointment_cancelled", by_patient.starts_at.isoformat().replace("+00:00", "Z"))
    ]


def test_another_clinicians_patients_raise_none_and_a_non_clinician_gets_404(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.HRV, days=2)
    other = make_clinician(name="Ms. Rivera")

    assert _alerts(client_for, other) == []
    assert client_for(patient).get("/api/v1/care/alerts/").status_code == 404
    unverified = make_clinician(verified=False, name="Mr. Unverified")
    assert client_for(unverified.user).get("/api/v1/care/alerts/").status_code == 404
