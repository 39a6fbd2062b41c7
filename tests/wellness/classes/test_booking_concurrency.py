"""Parallel bookings over HTTP against uvicorn and PostgreSQL never exceed capacity."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import UserFactory
from tests.helpers import post_with_token
from tests.servers import AsgiServer
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes.models import Booking, Instructor
from wellness.people.models import TokenScope
from wellness.people.services import access_token_create

pytestmark = pytest.mark.integration


def test_parallel_bookings_never_exceed_capacity(
    asgi_server: AsgiServer, instructor: Instructor
) -> None:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=3).occurrences.get()
    secrets = [
        access_token_create(user=u, name="t", scope=TokenScope.API)[1]
        for u in UserFactory.create_batch(12)
    ]

    def book(secret: str) -> int:
        url = f"{asgi_server.http_url}/api/v1/classes/bookings/"
        return post_with_token(url, secret, {"occurrence_id": occurrence.pk})

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(book, secrets))

    assert codes == [201] * 12
    occurrence.refresh_from_db()
    assert occurrence.booked_count == 3
    assert Booking.objects.filter(occurrence=occurrence, status="booked").count() == 3
    assert Booking.objects.filter(occurrence=occurrence, status="waitlisted").count() == 9
