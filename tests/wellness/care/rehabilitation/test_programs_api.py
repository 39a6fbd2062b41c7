"""Programs (issue 22, point 2): a therapist in active care of a patient prescribes a versioned
program; the patient sees their own; a clinician reads one only with a live rehabilitation grant,
through the audited path (one access-log entry per request); anything else is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_relationship
from tests.wellness.care.rehabilitation.factories import (
    LIMITS,
    care_with_grant,
    patient_create,
    plan_json,
    program_create,
    therapist_create,
)
from wellness.care.models import (
    ClinicianProfile,
    Exercise,
    GrantCategory,
    Profession,
    RehabProgram,
    RehabProgramVersion,
    RelationshipStatus,
    SharingGrant,
)
from wellness.people.models import AccessLogEntry, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/care/rehabilitation/programs/"


def _body(patient: User, **changes: Any) -> dict[str, Any]:
    return {
        "patient_id": patient.pk,
        "title": "Knee rehabilitation",
        "plan": plan_json(2, 3),
        "limits": LIMITS,
        "progression": {"consecutive_sessions": 2, "max_pain": 3},
        **changes,
    }


def test_a_therapist_in_active_care_prescribes_and_the_patient_sees_it(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create(resting_hr=60, max_hr=180)
    make_relationship(patient=patient, clinician=therapist)

    response = client_for(therapist.user).post(URL, _body(patient), format="json")

    assert response.status_code == 201
    created = response.json()
    assert (created["version"]["number"], created["current_phase"]) == (1, 0)
    # Prescribing reads none of the patient's data: no ceiling derived from their physiology.
    assert created["ceiling_bpm"] is None
    assert {e["slug"] for e in created["exercises"]} == {"sit-to-stand", "marching-in-place"}
    mine = client_for(patient).get(URL).json()
    assert [p["id"] for p in mine] == [created["id"]]
    detail = client_for(patient).get(f"{URL}{created['id']}/").json()
    assert detail["version"]["plan"]["phases"][1]["weeks"] == 3
    # Karvonen: 60 + 70% x (180 - 60)
    assert (detail["ceiling_bpm"], detail["ceiling_problem"]) == (144, None)
    assert not AccessLogEntry.objects.exists()  # the patient's own reads are not logged


def test_a_rule_the_profile_cannot_serve_says_why_there_is_no_ceiling(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create(resting_hr=None)
    make_relationship(patient=patient, clinician=therapist)

    created = client_for(therapist.user).post(URL, _body(patient), format="json").json()

    detail = client_for(patient).get(f"{URL}{created['id']}/").json()
    assert detail["ceiling_bpm"] is None
    assert "resting heart rate" in detail["ceiling_problem"]


@pytest.mark.parametrize("who", ["no_relationship", "ended", "unverified", "dietitian"])
def test_only_a_therapist_in_active_care_prescribes(client_for: ClientFor, who: str) -> None:
    therapist = therapist_create(verified=who != "unverified")
    patient = patient_create()
    if who == "ended":
        make_relationship(patient=patient, clinician=therapist, status=RelationshipStatus.ENDED)
    elif who != "no_relationship":
        make_relationship(patient=patient, clinician=therapist)
    if who == "dietitian":
        therapist.profession = Profession.DIETITIAN
        therapist.save(update_fields=["profession"])

    response = client_for(therapist.user).post(URL, _body(patient), format="json")

    assert response.status_code == 404
    assert not RehabProgram.objects.exists()


def test_an_invalid_program_is_a_400_naming_every_problem(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    plan = plan_json(2)
    plan["phases"][0]["weeks"] = 0
    limits = {**LIMITS, "pain_stop": 11}

    response = client_for(therapist.user).post(
        URL, _body(patient, plan=plan, limits=limits), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"plan.phases[0].weeks", "limits.pain_stop"}
    assert not RehabProgram.objects.exists()


def test_another_organisations_custom_exercise_cannot_be_prescribed(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    elsewhere = Exercise.objects.create(
        organisation=therapist_create(name="Mr. Berg").organisation,
        slug="secret",
        name="Secret",
        instructions="x",
        body_region="trunk",
        equipment="none",
        seated=True,
    )
    plan = plan_json(2)
    plan["phases"][0]["sessions"][0]["exercises"][0]["exercise_id"] = elsewhere.pk

    response = client_for(therapist.user).post(URL, _body(patient, plan=plan), format="json")

    assert response.status_code == 400
    assert not RehabProgram.objects.exists()


def test_the_patient_sees_the_custom_exercises_of_their_program(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    custom = Exercise.objects.create(
        organisation=therapist.organisation,
        slug="band-press",
        name="Band press",
        instructions="Press.",
        body_region="lower_body",
        equipment="band",
        seated=True,
    )
    plan = plan_json(2)
    plan["phases"][0]["sessions"][0]["exercises"][0]["exercise_id"] = custom.pk
    exercises = "/api/v1/care/rehabilitation/exercises/"
    assert client_for(patient).get(f"{exercises}{custom.pk}/").status_code == 404

    client_for(therapist.user).post(URL, _body(patient, plan=plan), format="json")

    assert client_for(patient).get(f"{exercises}{custom.pk}/").status_code == 200


def test_a_clinician_with_a_live_grant_reads_the_program_and_the_read_is_logged_once(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    program = program_create(therapist=therapist, patient=patient)

    detail = client_for(therapist.user).get(f"{URL}{program.pk}/")
    listing = client_for(therapist.user).get(
        f"/api/v1/care/rehabilitation/patients/{patient.pk}/programs/"
    )

    assert (detail.status_code, listing.status_code) == (200, 200)
    assert [p["id"] for p in listing.json()] == [program.pk]
    entries = AccessLogEntry.objects.order_by("id")
    assert [(e.subject_id, e.accessor_id, e.accessor_name) for e in entries] == [
        (patient.pk, therapist.user_id, "Ms. Ito"),
        (patient.pk, therapist.user_id, "Ms. Ito"),
    ]


def _no_sight(therapist: ClinicianProfile, patient: User, how: str) -> None:
    if how == "no_grant":
        make_relationship(patient=patient, clinician=therapist)
    elif how == "other_category":
        care_with_grant(therapist=therapist, patient=patient, category=GrantCategory.WORKOUTS)
    elif how == "expired":
        care_with_grant(therapist=therapist, patient=patient)
        SharingGrant.objects.update(
            starts_at=timezone.now() - dt.timedelta(days=10),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    elif how == "revoked":
        care_with_grant(therapist=therapist, patient=patient)
        SharingGrant.objects.update(revoked_at=timezone.now())
    elif how == "unverified":
        care_with_grant(therapist=therapist, patient=patient)
        ClinicianProfile.objects.filter(pk=therapist.pk).update(verified_at=None)
    elif how == "ended":
        care_with_grant(therapist=therapist, patient=patient)
        therapist.relationships.update(status=RelationshipStatus.ENDED)


@pytest.mark.parametrize(
    "how", ["no_grant", "other_category", "expired", "revoked", "unverified", "ended"]
)
def test_without_a_live_rehabilitation_grant_the_clinician_gets_404_and_nothing_is_logged(
    client_for: ClientFor, how: str
) -> None:
    therapist, patient = therapist_create(), patient_create()
    prescriber = therapist_create(name="Dr. Prescriber")
    make_relationship(patient=patient, clinician=prescriber)
    program = program_create(therapist=prescriber, patient=patient)
    _no_sight(therapist, patient, how)
    client = client_for(therapist.user)

    assert client.get(f"{URL}{program.pk}/").status_code == 404
    assert client.get(f"{URL}{program.pk}/versions/").status_code == 404
    assert (
        client.get(f"/api/v1/care/rehabilitation/patients/{patient.pk}/programs/").status_code
        == 404
    )
    assert not AccessLogEntry.objects.exists()


def test_another_persons_program_is_a_404_for_a_person(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)

    response = client_for(UserFactory.create()).get(f"{URL}{program.pk}/")

    assert response.status_code == 404
    assert client_for(UserFactory.create()).get(URL).json() == []


def test_a_change_is_a_new_version_and_the_first_is_kept(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    program = program_create(therapist=therapist, patient=patient)
    limits = {**LIMITS, "ceiling": {"rule": "bpm", "bpm": 120}}

    response = client_for(therapist.user).post(
        f"{URL}{program.pk}/versions/",
        {"limits": limits, "change_note": "Lower ceiling after review"},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["number"], response.json()["limits"]["ceiling"]["bpm"]) == (2, 120)
    first, second = RehabProgramVersion.objects.filter(program=program).order_by("number")
    assert first.limits == LIMITS
    assert second.plan == first.plan  # what was not given is carried over
    detail = client_for(patient).get(f"{URL}{program.pk}/").json()
    assert (detail["version"]["number"], detail["ceiling_bpm"]) == (2, 120)
    versions = client_for(patient).get(f"{URL}{program.pk}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]


def test_a_therapist_outside_the_patients_care_cannot_change_the_program(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)
    outsider = therapist_create(name="Mr. Berg")

    response = client_for(outsider.user).post(
        f"{URL}{program.pk}/versions/", {"change_note": "x"}, format="json"
    )

    assert response.status_code == 404
    assert RehabProgramVersion.objects.filter(program=program).count() == 1


def test_fewer_phases_move_a_patient_past_the_end_into_the_new_last_phase(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient, phases=(1, 1, 1))
    RehabProgram.objects.filter(pk=program.pk).update(current_phase=2)

    client_for(therapist.user).post(
        f"{URL}{program.pk}/versions/", {"plan": plan_json(2)}, format="json"
    )

    program.refresh_from_db()
    assert program.current_phase == 0


def test_a_clinician_signed_in_without_the_second_factor_reads_nothing() -> None:
    therapist, patient = therapist_create(), patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    program = program_create(therapist=therapist, patient=patient)
    single_factor = APIClient()
    single_factor.force_authenticate(user=User.objects.get(pk=therapist.user_id))

    response = single_factor.get(f"{URL}{program.pk}/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_enrolment_required"
    assert not AccessLogEntry.objects.exists()


def test_an_ended_program_takes_no_new_session_or_version(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)

    ended = client_for(therapist.user).post(f"{URL}{program.pk}/end/")
    again = client_for(patient).post(f"{URL}{program.pk}/end/")
    session = client_for(patient).post(f"{URL}{program.pk}/sessions/", {}, format="json")
    version = client_for(therapist.user).post(
        f"{URL}{program.pk}/versions/", {"change_note": "x"}, format="json"
    )

    assert (ended.status_code, ended.json()["status"], again.json()["status"]) == (
        200,
        "ended",
        "ended",
    )
    assert (session.status_code, session.json()["error"]["code"]) == (409, "program_ended")
    assert (version.status_code, version.json()["error"]["code"]) == (409, "program_ended")
    assert RehabProgramVersion.objects.filter(program=program).count() == 1


def test_a_stranger_cannot_end_a_program(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)

    response = client_for(UserFactory.create()).post(f"{URL}{program.pk}/end/")

    assert response.status_code == 404
    program.refresh_from_db()
    assert program.status == "active"
