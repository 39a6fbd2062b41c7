"""The exercise library's API (issue 22, point 1): everyone lists and filters the shipped
exercises; a verified therapist adds exercises that only their organisation's clinicians see."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_clinician, make_organisation
from wellness.care.models import ClinicianProfile, Exercise, Profession
from wellness.care.rehabilitation.catalogue import SHIPPED_EXERCISES

pytestmark = pytest.mark.django_db

URL = "/api/v1/care/rehabilitation/exercises/"
NEW = {
    "name": "Seated leg press with band",
    "instructions": "Loop the band around your foot and press your leg straight, slowly.",
    "body_region": "lower_body",
    "equipment": "band",
    "positions": ["seated"],
    "precautions": "Check the band first.",
}


def _therapist(**kwargs: object) -> ClinicianProfile:
    profile = make_clinician(organisation=make_organisation(), **kwargs)  # type: ignore[arg-type]
    profile.profession = Profession.PHYSIOTHERAPIST
    profile.save(update_fields=["profession"])
    return profile


def test_anyone_lists_the_shipped_library_with_illustrations(client_for: ClientFor) -> None:
    response = client_for(UserFactory.create()).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert len(body) == len(SHIPPED_EXERCISES)
    sit = next(e for e in body if e["slug"] == "sit-to-stand")
    assert sit["illustration_url"] == "/static/care/rehabilitation/exercises/sit-to-stand.svg"
    assert (sit["positions"], sit["custom"], sit["equipment"]) == (["standing"], False, "chair")


def test_the_library_filters_by_region_equipment_and_position(client_for: ClientFor) -> None:
    client = client_for(UserFactory.create())

    balance = client.get(URL, {"region": "balance"}).json()
    walls = client.get(URL, {"equipment": "wall", "position": "standing"}).json()
    seated_breathing = client.get(URL, {"region": "breathing", "position": "seated"}).json()

    assert {e["slug"] for e in balance} == {
        e.slug for e in SHIPPED_EXERCISES if e.body_region == "balance"
    }
    assert {e["slug"] for e in walls} == {
        e.slug for e in SHIPPED_EXERCISES if e.equipment == "wall" and e.standing
    }
    assert "diaphragmatic-breathing" in {e["slug"] for e in seated_breathing}
    assert all("seated" in e["positions"] for e in seated_breathing)


def test_an_unknown_filter_value_is_a_400_naming_the_field(client_for: ClientFor) -> None:
    response = client_for(UserFactory.create()).get(URL, {"position": "upside_down"})

    assert response.status_code == 400
    assert "position" in response.json()["error"]["fields"]


def test_a_therapist_adds_an_exercise_their_colleagues_see_and_others_do_not(
    client_for: ClientFor,
) -> None:
    therapist = _therapist()
    colleague = make_clinician(organisation=therapist.organisation, name="Ms. Ito")
    outsider = _therapist(name="Mr. Berg")
    patient = UserFactory.create()

    response = client_for(therapist.user).post(URL, NEW, format="json")

    assert response.status_code == 201
    created = response.json()
    assert (created["slug"], created["custom"], created["positions"]) == (
        "seated-leg-press-with-band",
        True,
        ["seated"],
    )
    detail = f"{URL}{created['id']}/"
    assert client_for(colleague.user).get(detail).status_code == 200
    assert created["id"] in {e["id"] for e in client_for(colleague.user).get(URL).json()}
    assert client_for(outsider.user).get(detail).status_code == 404
    assert client_for(patient).get(detail).status_code == 404
    assert created["id"] not in {e["id"] for e in client_for(patient).get(URL).json()}


def test_the_same_name_twice_gets_a_second_slug(client_for: ClientFor) -> None:
    therapist = _therapist()
    client = client_for(therapist.user)

    first = client.post(URL, NEW, format="json").json()
    second = client.post(URL, NEW, format="json").json()

    assert (first["slug"], second["slug"]) == (
        "seated-leg-press-with-band",
        "seated-leg-press-with-band-2",
    )


@pytest.mark.parametrize("who", ["unverified", "dietitian", "no_profile"])
def test_only_a_verified_therapist_adds_exercises(client_for: ClientFor, who: str) -> None:
    if who == "no_profile":
        user = UserFactory.create()
    elif who == "unverified":
        user = _therapist(verified=False).user
    else:
        profile = _therapist()
        profile.profession = Profession.DIETITIAN
        profile.save(update_fields=["profession"])
        user = profile.user

    response = client_for(user).post(URL, NEW, format="json")

    assert response.status_code == 404
    assert not Exercise.objects.filter(organisation__isnull=False).exists()


def test_a_therapist_without_an_organisation_cannot_add_exercises(client_for: ClientFor) -> None:
    therapist = make_clinician()
    therapist.profession = Profession.PHYSIOTHERAPIST
    therapist.save(update_fields=["profession"])

    response = client_for(therapist.user).post(URL, NEW, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_organisation"
    assert not Exercise.objects.filter(organisation__isnull=False).exists()


def test_an_exercise_needs_a_position(client_for: ClientFor) -> None:
    response = client_for(_therapist().user).post(URL, {**NEW, "positions": []}, format="json")

    assert response.status_code == 400
    assert "positions" in response.json()["error"]["fields"]
