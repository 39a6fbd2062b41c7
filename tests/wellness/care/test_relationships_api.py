"""Care relationships and sharing grants, owned by the patient (issue 21, point 2): a person adds
a clinician by code or asks one by email, accepts an organisation's invitation, grants per category
for a while (90 days by default, a year at most), renews, revokes and ends the relationship."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import (
    make_clinician,
    make_grant,
    make_organisation,
    make_relationship,
)
from wellness.care.models import (
    CareRelationship,
    ClinicianProfile,
    GrantCategory,
    RelationshipStatus,
    SharingGrant,
)
from wellness.people.models import User

pytestmark = pytest.mark.django_db


def _grants(relationship: CareRelationship) -> str:
    return f"/api/v1/care/relationships/{relationship.pk}/grants/"


def test_a_person_adds_a_clinician_by_code_and_the_relationship_is_active_at_once(
    client_for: ClientFor, patient: User, clinician: ClinicianProfile
) -> None:
    code = clinician.invite_code.lower()

    response = client_for(patient).post("/api/v1/care/team/", {"invite_code": f" {code} "})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"
    assert body["clinician"]["professional_name"] == "Dr. Okafor"
    assert body["grants"] == []
    team = client_for(patient).get("/api/v1/care/team/").json()
    assert [m["id"] for m in team] == [body["id"]]


def test_an_unknown_or_unverified_clinicians_code_is_not_found(
    client_for: ClientFor, patient: User
) -> None:
    unverified = make_clinician(verified=False)

    unknown = client_for(patient).post("/api/v1/care/team/", {"invite_code": "NOSUCHCODE"})
    pending = client_for(patient).post(
        "/api/v1/care/team/", {"invite_code": unverified.invite_code}
    )

    assert unknown.status_code == pending.status_code == 404
    assert not CareRelationship.objects.exists()


def test_asking_by_email_answers_the_same_whether_or_not_the_address_is_a_clinicians(
    client_for: ClientFor, patient: User, clinician: ClinicianProfile
) -> None:
    someone = UserFactory.create()
    answers = [
        client_for(patient).post("/api/v1/care/team/", {"email": email})
        for email in (clinician.user.email, "nobody@example.test", someone.email)
    ]

    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    # Nor does the patient's team tell: a request the clinician has not accepted is not listed.
    assert client_for(patient).get("/api/v1/care/team/").json() == []
    relationship = CareRelationship.objects.get()
    assert (relationship.clinician, relationship.status) == (clinician, "awaiting_clinician")


def test_the_clinician_sees_and_accepts_a_patients_request(
    client_for: ClientFor, patient: User, clinician: ClinicianProfile
) -> None:
    client_for(patient).post("/api/v1/care/team/", {"email": clinician.user.email})
    reader = client_for(clinician.user)
    requests = reader.get("/api/v1/care/patients/").json()
    assert [(r["status"], r["patient_id"]) for r in requests] == [
        ("awaiting_clinician", patient.pk)
    ]

    other = client_for(UserFactory.create()).post(
        f"/api/v1/care/relationships/{requests[0]['id']}/accept/"
    )
    accepted = reader.post(f"/api/v1/care/relationships/{requests[0]['id']}/accept/")

    assert other.status_code == 404
    assert accepted.status_code == 204
    relationship = CareRelationship.objects.get()
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.started_at is not None
    assert [m["status"] for m in client_for(patient).get("/api/v1/care/team/").json()] == ["active"]


def test_an_organisations_clinician_invites_a_person_who_accepts(
    client_for: ClientFor, patient: User
) -> None:
    clinician = make_clinician(organisation=make_organisation())

    invited = client_for(clinician.user).post("/api/v1/care/invitations/", {"email": patient.email})
    nobody = client_for(clinician.user).post(
        "/api/v1/care/invitations/", {"email": "nobody@example.test"}
    )
    team = client_for(patient).get("/api/v1/care/team/").json()
    accepted = client_for(patient).post(f"/api/v1/care/relationships/{team[0]['id']}/accept/")

    assert invited.status_code == nobody.status_code == 202
    assert invited.content == nobody.content
    assert [m["status"] for m in team] == ["awaiting_patient"]
    assert accepted.status_code == 204
    assert CareRelationship.objects.get().status == RelationshipStatus.ACTIVE


def test_a_clinician_without_an_organisation_does_not_invite(
    client_for: ClientFor, patient: User, clinician: ClinicianProfile
) -> None:
    response = client_for(clinician.user).post(
        "/api/v1/care/invitations/", {"email": patient.email}
    )

    assert response.status_code == 400
    assert not CareRelationship.objects.exists()


def test_a_grant_lasts_ninety_days_by_default(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    before = timezone.now()

    response = client_for(patient).post(_grants(relationship), {"category": "workouts"})

    assert response.status_code == 201
    grant = SharingGrant.objects.get()
    assert grant.category == "workouts"
    assert before <= grant.starts_at <= timezone.now()
    assert grant.expires_at - grant.starts_at == dt.timedelta(days=90)
    assert response.json()["live"] is True


@pytest.mark.parametrize(
    ("days", "field_error"),
    [(366, "At most 365 days after the start."), (-1, "Choose an expiry after the start.")],
)
def test_a_grant_beyond_a_year_or_ending_before_it_starts_is_refused_clearly(
    client_for: ClientFor,
    patient: User,
    relationship: CareRelationship,
    days: int,
    field_error: str,
) -> None:
    starts_at = timezone.now() + dt.timedelta(days=1)
    response = client_for(patient).post(
        _grants(relationship),
        {
            "category": "hrv",
            "starts_at": starts_at.isoformat(),
            "expires_at": (starts_at + dt.timedelta(days=days)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"expires_at": [field_error]}
    assert not SharingGrant.objects.exists()


def test_a_year_exactly_is_allowed(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    starts_at = timezone.now()
    response = client_for(patient).post(
        _grants(relationship),
        {
            "category": "physiology",
            "starts_at": starts_at.isoformat(),
            "expires_at": (starts_at + dt.timedelta(days=365)).isoformat(),
        },
    )

    assert response.status_code == 201


def test_only_the_patient_grants_and_only_through_an_active_relationship(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    pending = make_relationship(
        patient=UserFactory.create(consented=True),
        clinician=clinician,
        status=RelationshipStatus.AWAITING_PATIENT,
    )

    by_clinician = client_for(clinician.user).post(_grants(relationship), {"category": "workouts"})
    not_yet = client_for(pending.patient).post(_grants(pending), {"category": "workouts"})

    assert by_clinician.status_code == not_yet.status_code == 404
    assert not SharingGrant.objects.exists()


def test_sharing_needs_health_data_consent(
    client_for: ClientFor, clinician: ClinicianProfile
) -> None:
    person = UserFactory.create()
    relationship = make_relationship(patient=person, clinician=clinician)

    response = client_for(person).post(_grants(relationship), {"category": "workouts"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert not SharingGrant.objects.exists()


def test_a_category_is_granted_once_at_a_time(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    response = client_for(patient).post(_grants(relationship), {"category": "workouts"})

    assert response.status_code == 409
    assert SharingGrant.objects.count() == 1


def test_renewing_extends_a_grant_even_an_expired_one(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    grant = make_grant(
        relationship=relationship,
        category=GrantCategory.HRV,
        starts_at=timezone.now() - dt.timedelta(days=10),
        days=5,
    )
    until = timezone.now() + dt.timedelta(days=200)

    response = client_for(patient).post(
        f"/api/v1/care/grants/{grant.pk}/renew/", {"expires_at": until.isoformat()}
    )
    too_long = client_for(patient).post(
        f"/api/v1/care/grants/{grant.pk}/renew/",
        {"expires_at": (timezone.now() + dt.timedelta(days=400)).isoformat()},
    )

    assert response.status_code == 200
    assert response.json()["live"] is True
    assert too_long.status_code == 400
    grant.refresh_from_db()
    assert grant.expires_at == until


def test_revoking_ends_a_grant_at_once_and_it_stays_revoked(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    grant = make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    response = client_for(patient).delete(f"/api/v1/care/grants/{grant.pk}/")
    renewed = client_for(patient).post(f"/api/v1/care/grants/{grant.pk}/renew/")

    assert response.status_code == 200
    assert response.json()["live"] is False
    assert renewed.status_code == 409
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_someone_elses_grant_is_not_found(
    client_for: ClientFor, other_user: User, relationship: CareRelationship
) -> None:
    grant = make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    response = client_for(other_user).delete(f"/api/v1/care/grants/{grant.pk}/")

    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_ending_the_relationship_ends_every_grant(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    grants = [
        make_grant(relationship=relationship, category=category)
        for category in (GrantCategory.WORKOUTS, GrantCategory.HRV)
    ]

    response = client_for(patient).delete(f"/api/v1/care/relationships/{relationship.pk}/")

    assert response.status_code == 204
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED
    assert all(SharingGrant.objects.get(pk=g.pk).revoked_at is not None for g in grants)
    assert client_for(patient).get("/api/v1/care/team/").json() == []
    # Ended, the clinician may be added again.
    again = client_for(patient).post(
        "/api/v1/care/team/", {"invite_code": relationship.clinician.invite_code}
    )
    assert again.status_code == 201


def test_withdrawing_health_data_consent_ends_every_grant(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    grant = make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    response = client_for(patient).post("/api/v1/consent/health-data/", {"granted": False})

    assert response.status_code == 200
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_export_includes_the_care_team_and_grants(
    client_for: ClientFor, patient: User, relationship: CareRelationship
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.SAMPLES)

    care = client_for(patient).get("/api/v1/me/export/").json()["care"]

    assert care["clinician_profile"] is None
    assert [(m["clinician"], m["status"]) for m in care["care_team"]] == [("Dr. Okafor", "active")]
    assert [g["category"] for g in care["care_team"][0]["grants"]] == ["samples"]
