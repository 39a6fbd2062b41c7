"""Deleting an account in classes: a held place goes to the waiting list, and an instructor's
deletion leaves their classes and other people's attendances and history in place, detached."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes.models import Attendance, Booking, ClassOccurrence, FitnessClass, Instructor
from wellness.people.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/classes/"


def delete_account(client_for: Any, person: User) -> Any:
    return client_for(person).delete("/api/v1/me/", {"password": TEST_PASSWORD}, format="json")


def test_deleting_a_person_with_a_place_offers_it_to_the_waiting_list(
    client_for: Any, occurrence: ClassOccurrence
) -> None:
    first, second, waiting = UserFactory.create_batch(3)
    for person in (first, second, waiting):
        client_for(person).post(f"{URL}bookings/", {"occurrence_id": occurrence.pk}, format="json")
    waiting_id = waiting.pk

    response = delete_account(client_for, first)

    assert response.status_code == 204
    assert Booking.objects.get(user_id=waiting_id).status == "booked"
    occurrence.refresh_from_db()
    assert occurrence.booked_count == 2
    assert Booking.objects.filter(status="booked").count() == 2


def test_deleting_a_person_frees_their_place_without_a_waiting_list(
    client_for: Any, occurrence: ClassOccurrence, user: User
) -> None:
    client_for(user).post(f"{URL}bookings/", {"occurrence_id": occurrence.pk}, format="json")

    delete_account(client_for, user)

    occurrence.refresh_from_db()
    assert occurrence.booked_count == 0
    assert not Booking.objects.exists()


def test_deleting_an_instructor_keeps_other_peoples_attendances_and_history(
    client_for: Any,
    instructor: Instructor,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    on_demand = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    client = client_for(consenting_user)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_id = client.post(f"{URL}{on_demand.pk}/attendances/", format="json").json()["id"]
        client.post(f"{URL}attendances/{attendance_id}/complete/", {}, format="json")

    response = delete_account(client_for, instructor.user)
    history = client.get(f"{URL}history/").json()["results"]
    listed = client.get(f"{URL}{on_demand.pk}/")

    assert response.status_code == 204
    assert not Instructor.objects.exists()
    assert FitnessClass.objects.get(pk=on_demand.pk).instructor is None
    assert Attendance.objects.get(pk=attendance_id).status == "completed"
    assert [h["id"] for h in history] == [attendance_id]
    assert listed.status_code == 200
    assert listed.json()["instructor"] == "Former instructor"
