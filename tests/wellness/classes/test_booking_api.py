"""Booking live classes: capacity, the waiting list, cancellation and reminders."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync

from tests.factories import UserFactory
from tests.helpers import channel_layer
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes.models import Booking, ClassOccurrence, Instructor
from wellness.core.groups import user_group
from wellness.people.models import User

URL = "/api/v1/classes/bookings/"


def book(client_for: Any, person: User, occurrence: ClassOccurrence) -> Any:
    return client_for(person).post(URL, {"occurrence_id": occurrence.pk}, format="json")


def test_booking_over_capacity_goes_to_the_waiting_list(
    client_for: Any, occurrence: ClassOccurrence
) -> None:
    people = UserFactory.create_batch(3)

    statuses = [book(client_for, p, occurrence).json()["status"] for p in people]

    assert statuses == ["booked", "booked", "waitlisted"]
    occurrence.refresh_from_db()
    assert occurrence.booked_count == 2


def test_cancelling_promotes_the_first_waiting_person(
    client_for: Any, occurrence: ClassOccurrence
) -> None:
    first, second, waiting_1, waiting_2 = UserFactory.create_batch(4)
    booking_id = book(client_for, first, occurrence).json()["id"]
    book(client_for, second, occurrence)
    book(client_for, waiting_1, occurrence)
    book(client_for, waiting_2, occurrence)

    response = client_for(first).delete(f"{URL}{booking_id}/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Booking.objects.get(user=waiting_1).status == "booked"
    assert Booking.objects.get(user=waiting_2).status == "waitlisted"
    occurrence.refresh_from_db()
    assert occurrence.booked_count == 2


def test_cancelling_without_a_waiting_list_frees_the_place(
    client_for: Any, occurrence: ClassOccurrence, user: User
) -> None:
    booking_id = book(client_for, user, occurrence).json()["id"]

    client_for(user).delete(f"{URL}{booking_id}/")
    client_for(user).delete(f"{URL}{booking_id}/")

    occurrence.refresh_from_db()
    assert occurrence.booked_count == 0


def test_booking_twice_is_a_conflict_and_changes_nothing(
    client_for: Any, occurrence: ClassOccurrence, user: User
) -> None:
    book(client_for, user, occurrence)

    response = book(client_for, user, occurrence)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_booked"
    assert Booking.objects.count() == 1
    occurrence.refresh_from_db()
    assert occurrence.booked_count == 1


def test_booking_an_unknown_occurrence_is_404_and_stores_nothing(
    client_for: Any, user: User, db: None
) -> None:
    response = client_for(user).post(URL, {"occurrence_id": 424242}, format="json")

    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_booking_without_an_occurrence_id_is_400(client_for: Any, user: User, db: None) -> None:
    response = client_for(user).post(URL, {"occurrence_id": "soon"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["occurrence_id"]
    assert not Booking.objects.exists()


def test_another_persons_booking_is_404_and_stays_booked(
    client_for: Any, occurrence: ClassOccurrence, user: User, other_user: User
) -> None:
    booking_id = book(client_for, user, occurrence).json()["id"]

    read = client_for(other_user).get(f"{URL}{booking_id}/")
    cancel = client_for(other_user).delete(f"{URL}{booking_id}/")

    assert (read.status_code, cancel.status_code) == (404, 404)
    assert Booking.objects.get(pk=booking_id).status == "booked"


def test_my_bookings_list_only_mine(
    client_for: Any, occurrence: ClassOccurrence, user: User, other_user: User
) -> None:
    book(client_for, user, occurrence)
    book(client_for, other_user, occurrence)

    response = client_for(user).get(URL)

    assert [b["class_title"] for b in response.json()["results"]] == ["Morning flow"]
    assert response.json()["count"] == 1


def test_a_booking_gets_exactly_one_reminder_notification(
    client_for: Any,
    occurrence: ClassOccurrence,
    user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from wellness.classes import services

    layer = channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)

    # Eager Celery runs the reminder task at once (a real worker waits for its eta).
    with django_capture_on_commit_callbacks(execute=True):
        booking_id = book(client_for, user, occurrence).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        sent_again = services.booking_remind(booking_id=booking_id)

    message = async_to_sync(asyncio.wait_for)(layer.receive(channel), 2)
    assert message["event"]["kind"] == "class_reminder"
    assert message["event"]["booking_id"] == booking_id
    assert sent_again is False
    assert Booking.objects.get(pk=booking_id).reminded_at is not None


def test_a_waitlisted_person_gets_no_reminder(
    client_for: Any, instructor: Instructor, user: User
) -> None:
    occurrence = FitnessClassFactory.create(
        instructor=instructor, capacity=1, title="Tiny"
    ).occurrences.get()
    book(client_for, UserFactory.create(), occurrence)

    booking_id = book(client_for, user, occurrence).json()["id"]

    from wellness.classes import services

    assert services.booking_remind(booking_id=booking_id) is False
    assert Booking.objects.get(pk=booking_id).reminded_at is None
