"""The .ics invitation of an appointment and the clinician's private calendar feed."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar
from rest_framework.test import APIClient

from tests.helpers import ClientFor
from tests.wellness.care.factories import appointment_create, clinician_create, tomorrow_at
from wellness.care.models import ClinicianProfile
from wellness.people.models import User

FEED = "/api/v1/care/calendar-feed/"


def events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_each_participant_downloads_an_invitation_naming_the_other(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    appointment = appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))
    url = f"/api/v1/care/appointments/{appointment.pk}/invitation.ics"

    for_patient = client_for(patient).get(url)
    for_clinician = client_for(clinician.user).get(url)

    assert for_patient.status_code == 200
    assert for_patient["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = events(for_patient.content)
    assert str(event["summary"]) == "Consultation with Dr. Okafor"
    assert event.decoded("dtstart") == tomorrow_at(9)
    assert event.decoded("dtend") == tomorrow_at(9, 30)
    assert str(event["uid"]) == f"appointment-{appointment.pk}@wellverse"
    assert str(event["url"]).endswith(f"/consultations/{appointment.pk}")
    (event,) = events(for_clinician.content)
    assert str(event["summary"]) == f"Consultation with {patient.profile.display_name}"


def test_the_feed_lists_the_clinicians_appointments_without_patient_names(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))
    appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(10, 20))
    url = client_for(clinician.user).post(FEED).json()["url"]

    response = APIClient().get(url)  # a calendar app: no session

    assert response.status_code == 200
    assert [e.decoded("dtstart") for e in events(response.content)] == [
        tomorrow_at(9), tomorrow_at(10, 20),
    ]  # fmt: skip
    assert patient.profile.display_name.encode() not in response.content
    assert patient.email.encode() not in response.content
    assert {str(e["summary"]) for e in events(response.content)} == {"Consultation"}


def test_regenerating_the_feed_retires_the_old_url_and_revoking_retires_all(
    client_for: ClientFor, clinician: ClinicianProfile
) -> None:
    client = client_for(clinician.user)
    old = client.post(FEED).json()["url"]
    new = client.post(FEED).json()["url"]

    assert APIClient().get(old).status_code == 404
    assert APIClient().get(new).status_code == 200
    assert client.delete(FEED).status_code == 204
    assert APIClient().get(new).status_code == 404


def test_an_unverified_clinician_has_no_feed(client_for: ClientFor, db: None) -> None:
    unverified = clinician_create(verified=False)

    assert client_for(unverified.user).post(FEED).status_code == 403
