"""Booking a clinician's slot: who may book, no double booking, moving and cancelling with notice
to the other party, and the two reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import IntegrityError, transaction

from tests.factories import UserFactory
from tests.helpers import ClientFor, channel_layer
from tests.wellness.care.factories import (
    appointment_create,
    care_create,
    clinician_create,
    daily_rule_create,
    tomorrow_at,
)
from wellness.care.appointments import services
from wellness.care.models import Appointment, ClinicianProfile, RelationshipStatus
from wellness.core.groups import user_group
from wellness.people.models import User

URL = "/api/v1/care/appointments/"


def book(client_for: ClientFor, patient: User, clinician: ClinicianProfile, at: dt.datetime) -> Any:
    return client_for(patient).post(
        URL, {"clinician_id": clinician.pk, "starts_at": at.isoformat()}, format="json"
    )


def listening(user: User) -> Any:
    """A channel in the person's notification group: what their notification sockets hear."""
    layer = channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)

    def heard() -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        while True:
            try:
                message = async_to_sync(asyncio.wait_for)(layer.receive(channel), 0.2)
            except TimeoutError:
                return events
            events.append(message["event"])

    return heard


def test_a_patient_in_active_care_books_a_free_slot_and_the_clinician_hears_of_it(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard = listening(clinician.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = book(client_for, patient, clinician, tomorrow_at(9, 40))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["starts_at"], body["ends_at"], body["status"]) == (
        tomorrow_at(9, 40).isoformat().replace("+00:00", "Z"),
        tomorrow_at(10, 10).isoformat().replace("+00:00", "Z"),
        "booked",
    )
    assert body["clinician"] == {"id": clinician.pk, "name": "Dr. Okafor", "profession": "doctor"}
    kinds = [e["kind"] for e in heard()]
    assert kinds[0] == "appointment_booked"


def test_an_unverified_clinician_cannot_be_booked(client_for: ClientFor, db: None) -> None:
    unverified = clinician_create(verified=False)
    daily_rule_create(clinician=unverified)
    patient = care_create(clinician=unverified)

    response = book(client_for, patient, unverified, tomorrow_at(9))

    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_booking_without_active_care_is_not_found(
    client_for: ClientFor, clinician: ClinicianProfile
) -> None:
    stranger = UserFactory.create(consented=True)
    awaiting = care_create(clinician=clinician, status=RelationshipStatus.AWAITING_CLINICIAN)
    former = care_create(clinician=clinician, status=RelationshipStatus.ENDED)

    codes = [
        book(client_for, p, clinician, tomorrow_at(9)).status_code
        for p in (stranger, awaiting, former)
    ]

    assert codes == [404, 404, 404]
    assert not Appointment.objects.exists()


def test_a_time_that_is_not_a_slot_or_is_taken_is_a_conflict(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    other = care_create(clinician=clinician)
    assert book(client_for, patient, clinician, tomorrow_at(9)).status_code == 201

    taken = book(client_for, other, clinician, tomorrow_at(9))
    between = book(client_for, other, clinician, tomorrow_at(9, 15))
    past = book(client_for, other, clinician, tomorrow_at(9) - dt.timedelta(days=2))

    assert [r.status_code for r in (taken, between, past)] == [409, 409, 409]
    assert taken.json()["error"]["code"] == "slot_unavailable"
    assert list(Appointment.objects.values_list("patient_id", flat=True)) == [patient.pk]


def test_a_cancelled_slot_can_be_booked_again(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    first = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    client_for(patient).post(f"{URL}{first}/cancel/", {}, format="json")
    other = care_create(clinician=clinician)

    assert book(client_for, other, clinician, tomorrow_at(9)).status_code == 201


def test_moving_an_appointment_notifies_the_clinician_and_frees_the_old_time(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    appointment_id = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    heard = listening(clinician.user)

    with django_capture_on_commit_callbacks(execute=True):
        moved = client_for(patient).patch(
            f"{URL}{appointment_id}/", {"starts_at": tomorrow_at(10, 20).isoformat()}, format="json"
        )

    assert moved.status_code == 200, moved.json()
    assert moved.json()["starts_at"] == tomorrow_at(10, 20).isoformat().replace("+00:00", "Z")
    event = next(e for e in heard() if e["kind"] == "appointment_rescheduled")
    assert event["previous_starts_at"] == tomorrow_at(9).isoformat()
    other = care_create(clinician=clinician)
    assert book(client_for, other, clinician, tomorrow_at(9)).status_code == 201


def test_moving_onto_a_taken_slot_changes_nothing(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    mine = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    book(client_for, care_create(clinician=clinician), clinician, tomorrow_at(9, 40))

    moved = client_for(patient).patch(
        f"{URL}{mine}/", {"starts_at": tomorrow_at(9, 40).isoformat()}, format="json"
    )

    assert moved.status_code == 409
    assert Appointment.objects.get(pk=mine).starts_at == tomorrow_at(9)


def test_the_clinician_cancels_with_a_reason_the_patient_is_told(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    appointment_id = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    heard = listening(patient)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client_for(clinician.user).post(
            f"{URL}{appointment_id}/cancel/", {"reason": "Unwell today"}, format="json"
        )

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    event = next(e for e in heard() if e["kind"] == "appointment_cancelled")
    assert (event["appointment_id"], event["reason"]) == (appointment_id, "Unwell today")


def test_another_persons_appointment_is_not_found_and_stays_booked(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    appointment_id = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    other_clinician = clinician_create(name="Dr. Haddad")
    outsiders = [
        UserFactory.create(consented=True),
        care_create(clinician=clinician),
        other_clinician.user,
    ]

    for outsider in outsiders:
        client = client_for(outsider)
        assert client.get(f"{URL}{appointment_id}/").status_code == 404
        assert client.post(f"{URL}{appointment_id}/cancel/", {}, format="json").status_code == 404
        assert client.get(f"{URL}{appointment_id}/invitation.ics").status_code == 404
        assert client.get(URL).json()["count"] == 0
    assert Appointment.objects.get(pk=appointment_id).status == "booked"


def test_each_reminder_goes_to_both_parties_once(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard_patient, heard_clinician = listening(patient), listening(clinician.user)

    # Eager Celery runs both reminder tasks at once (a real worker waits for 24 h and 15 min before).
    with django_capture_on_commit_callbacks(execute=True):
        appointment_id = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        again = services.appointment_remind(
            appointment_id=appointment_id, which="soon", starts_at=tomorrow_at(9).isoformat()
        )

    for heard in (heard_patient, heard_clinician):
        leads = sorted(e["lead"] for e in heard() if e["kind"] == "appointment_reminder")
        assert leads == ["day_before", "soon"]
    assert again is False
    appointment = Appointment.objects.get(pk=appointment_id)
    assert appointment.reminded_day_before_at is not None
    assert appointment.reminded_soon_at is not None


def test_a_reminder_queued_for_the_old_time_of_a_moved_appointment_sends_nothing(
    client_for: ClientFor, clinician: ClinicianProfile, patient: User
) -> None:
    appointment_id = book(client_for, patient, clinician, tomorrow_at(9)).json()["id"]
    client_for(patient).patch(
        f"{URL}{appointment_id}/", {"starts_at": tomorrow_at(10, 20).isoformat()}, format="json"
    )

    sent = services.appointment_remind(
        appointment_id=appointment_id, which="soon", starts_at=tomorrow_at(9).isoformat()
    )

    assert sent is False
    assert Appointment.objects.get(pk=appointment_id).reminded_soon_at is None


@pytest.mark.postgresql
def test_the_database_refuses_two_booked_appointments_of_a_clinician_at_one_start(
    clinician: ClinicianProfile, patient: User
) -> None:
    cancelled = appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled")
    appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))

    with transaction.atomic(), pytest.raises(IntegrityError):
        appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))
    assert Appointment.objects.filter(status="booked").count() == 1
