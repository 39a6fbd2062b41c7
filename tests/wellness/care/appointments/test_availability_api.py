"""Clinicians publish availability; patients in their care see the free slots."""

from __future__ import annotations

import datetime as dt

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import (
    appointment_create,
    care_create,
    clinician_create,
    tomorrow_at,
)
from wellness.care.models import AvailabilityRule, ClinicianProfile, RelationshipStatus
from wellness.people.models import User

URL = "/api/v1/care/availability/"
BERLIN_MONDAYS = {
    "first_start_local": "2030-03-18T09:00",
    "time_zone": "Europe/Berlin",
    "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
    "window_minutes": 180,
    "slot_minutes": 30,
    "buffer_minutes": 10,
}


def slots_url(clinician: ClinicianProfile) -> str:
    return f"/api/v1/care/clinicians/{clinician.pk}/slots/"


def test_a_verified_clinician_publishes_a_recurring_rule_in_their_zone(
    client_for: ClientFor, db: None
) -> None:
    clinician = clinician_create()

    response = client_for(clinician.user).post(URL, BERLIN_MONDAYS, format="json")

    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0} == BERLIN_MONDAYS | {"id": 0}
    rule = AvailabilityRule.objects.get(clinician=clinician)
    assert rule.first_start_local == dt.datetime(2030, 3, 18, 8, 0, tzinfo=dt.UTC)  # 09:00 CET
    listed = client_for(clinician.user).get(URL).json()
    assert [r["id"] for r in listed] == [rule.pk]


def test_an_unverified_clinician_publishes_nothing(client_for: ClientFor, db: None) -> None:
    clinician = clinician_create(verified=False)

    response = client_for(clinician.user).post(URL, BERLIN_MONDAYS, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_acting_clinician"
    assert not AvailabilityRule.objects.exists()


def test_a_bad_rule_is_refused_field_by_field(client_for: ClientFor, db: None) -> None:
    clinician = clinician_create()
    bad = BERLIN_MONDAYS | {"time_zone": "Mars/Olympus", "rrule": "EVERY MONDAY", "slot_minutes": 1}

    response = client_for(clinician.user).post(URL, bad, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["rrule", "slot_minutes", "time_zone"]
    assert not AvailabilityRule.objects.exists()


def test_withdrawing_a_rule_is_for_its_clinician_only(client_for: ClientFor, db: None) -> None:
    mine, theirs = clinician_create(), clinician_create(name="Dr. Haddad")
    rule_id = client_for(mine.user).post(URL, BERLIN_MONDAYS, format="json").json()["id"]

    assert client_for(theirs.user).delete(f"{URL}{rule_id}/").status_code == 404
    assert AvailabilityRule.objects.filter(pk=rule_id).exists()
    assert client_for(mine.user).delete(f"{URL}{rule_id}/").status_code == 204
    assert not AvailabilityRule.objects.filter(pk=rule_id).exists()


def test_a_patient_sees_the_free_slots_without_the_booked_one(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9, 40))
    day = tomorrow_at(0)

    response = client_for(patient).get(
        slots_url(clinician),
        {"from": day.isoformat(), "to": (day + dt.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200
    assert [s["starts_at"] for s in response.json()] == [
        tomorrow_at(9).isoformat().replace("+00:00", "Z"),
        tomorrow_at(10, 20).isoformat().replace("+00:00", "Z"),
    ]


def test_slots_of_a_clinician_outside_my_active_care_are_not_found(
    client_for: ClientFor, clinician: ClinicianProfile
) -> None:
    stranger = UserFactory.create(consented=True)
    former = care_create(clinician=clinician, status=RelationshipStatus.ENDED)
    unverified = clinician_create(verified=False)
    their_patient = care_create(clinician=unverified)

    assert client_for(stranger).get(slots_url(clinician)).status_code == 404
    assert client_for(former).get(slots_url(clinician)).status_code == 404
    assert client_for(their_patient).get(slots_url(unverified)).status_code == 404
