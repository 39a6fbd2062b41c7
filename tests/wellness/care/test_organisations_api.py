"""Organisations and clinicians (issue 21, point 1): any person creates an organisation and
administers it; a person applies for a clinician profile, which staff or the organisation's
administrators verify (never their own), and un-verifying ends the clinician's access at once."""

from __future__ import annotations

import pytest
from django.contrib import admin
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_clinician, make_grant, make_organisation
from wellness.care.models import (
    CareOrganisation,
    CareRelationship,
    ClinicianProfile,
    GrantCategory,
    OrganisationAdministrator,
)
from wellness.people.models import User
from wellness.people.twofactor import requires_two_factor

pytestmark = pytest.mark.django_db

APPLICATION = {
    "profession": "physiotherapist",
    "registration_number": "HCPC-PH12345",
    "professional_name": "Amara Okafor, physiotherapist",
}


def test_a_person_who_creates_an_organisation_is_its_first_administrator(
    client_for: ClientFor, user: User
) -> None:
    response = client_for(user).post(
        "/api/v1/care/organisations/", {"name": "Riverside Rehab", "kind": "rehabilitation_centre"}
    )

    assert response.status_code == 201
    organisation = CareOrganisation.objects.get(pk=response.json()["id"])
    assert organisation.name == "Riverside Rehab"
    assert list(organisation.administrators.values_list("user_id", flat=True)) == [user.pk]
    listed = client_for(user).get("/api/v1/care/organisations/").json()
    assert [o["id"] for o in listed] == [organisation.pk]


def test_an_administrator_adds_and_removes_administrators_but_never_the_last(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    organisation = make_organisation(administrator=user)
    base = f"/api/v1/care/organisations/{organisation.pk}/administrators/"

    added = client_for(user).post(base, {"email": other_user.email})
    removed = client_for(other_user).delete(f"{base}{user.pk}/")
    last = client_for(other_user).delete(f"{base}{other_user.pk}/")

    assert added.status_code == 201
    assert removed.status_code == 204
    assert last.status_code == 409
    assert last.json()["error"]["code"] == "last_administrator"
    assert list(organisation.administrators.values_list("user_id", flat=True)) == [other_user.pk]


def test_someone_elses_organisation_is_not_found(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    organisation = make_organisation(administrator=user)

    response = client_for(other_user).post(
        f"/api/v1/care/organisations/{organisation.pk}/administrators/",
        {"email": other_user.email},
    )

    assert response.status_code == 404
    assert OrganisationAdministrator.objects.filter(organisation=organisation).count() == 1


def test_applying_gives_an_unverified_profile_with_an_invite_code_and_requires_two_factor(
    client_for: ClientFor, user: User
) -> None:
    organisation = make_organisation()

    response = client_for(user).post(
        "/api/v1/care/clinician/", APPLICATION | {"organisation": organisation.pk}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["verified"] is False
    assert body["organisation"] == {"id": organisation.pk, "name": "Riverside Clinic"}
    assert len(body["invite_code"]) == 10
    assert requires_two_factor(user)
    again = client_for(user).post("/api/v1/care/clinician/", APPLICATION)
    assert again.status_code == 409
    assert ClinicianProfile.objects.filter(user=user).count() == 1


def test_an_incomplete_application_says_what_is_missing(client_for: ClientFor, user: User) -> None:
    response = client_for(user).post("/api/v1/care/clinician/", APPLICATION | {"organisation": 999})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"organisation"}
    assert not ClinicianProfile.objects.filter(user=user).exists()


def test_staff_verify_a_clinician(client_for: ClientFor, admin: User) -> None:
    profile = make_clinician(verified=False)

    response = client_for(admin).post(f"/api/v1/care/clinicians/{profile.pk}/verification/")

    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.verified_at is not None
    assert profile.verified_by == admin


def test_an_administrator_of_the_clinicians_organisation_verifies_them_and_no_one_else_does(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    organisation = make_organisation(administrator=user)
    profile = make_clinician(verified=False, organisation=organisation)

    stranger = client_for(other_user).post(f"/api/v1/care/clinicians/{profile.pk}/verification/")
    profile.refresh_from_db()
    assert stranger.status_code == 404
    assert profile.verified_at is None

    listed = client_for(user).get(f"/api/v1/care/organisations/{organisation.pk}/clinicians/")
    assert [c["id"] for c in listed.json()] == [profile.pk]
    administrator = client_for(user).post(f"/api/v1/care/clinicians/{profile.pk}/verification/")
    profile.refresh_from_db()
    assert administrator.status_code == 200
    assert profile.verified_by == user


def test_no_one_verifies_their_own_profile(client_for: ClientFor, user: User) -> None:
    organisation = make_organisation(administrator=user)
    profile = make_clinician(verified=False, organisation=organisation, user=user)

    response = client_for(user).post(f"/api/v1/care/clinicians/{profile.pk}/verification/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "own_profile"
    profile.refresh_from_db()
    assert profile.verified_at is None


def test_un_verifying_ends_the_clinicians_access_at_once(
    client_for: ClientFor,
    admin: User,
    clinician: ClinicianProfile,
    patient: User,
    relationship: CareRelationship,
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    reader = client_for(clinician.user)
    path = f"/api/v1/care/patients/{patient.pk}/workouts/"
    assert reader.get(path).status_code == 200

    response = client_for(admin).delete(f"/api/v1/care/clinicians/{clinician.pk}/verification/")

    assert response.status_code == 200
    assert response.json()["verified"] is False
    assert reader.get(path).status_code == 404
    assert reader.get("/api/v1/care/patients/").status_code == 404


def test_a_clinician_without_two_factor_is_refused_clinician_actions(
    clinician: ClinicianProfile, patient: User, relationship: CareRelationship
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    client = APIClient()
    client.force_authenticate(user=clinician.user)  # signed in, no second factor

    patients = client.get("/api/v1/care/patients/")
    workouts = client.get(f"/api/v1/care/patients/{patient.pk}/workouts/")

    assert patients.status_code == workouts.status_code == 403
    assert workouts.json()["error"]["code"] == "two_factor_enrolment_required"


def test_staff_verify_clinicians_in_the_admin() -> None:
    registered = admin.site._registry
    assert {CareOrganisation, ClinicianProfile} <= set(registered)
    assert {"verify", "unverify"} <= set(registered[ClinicianProfile].actions or ())


def test_an_other_persons_clinician_application_needs_no_organisation(
    client_for: ClientFor,
) -> None:
    person = UserFactory.create()

    response = client_for(person).post("/api/v1/care/clinician/", APPLICATION)

    assert response.status_code == 201
    assert response.json()["organisation"] is None
