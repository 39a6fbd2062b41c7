"""Parallel bookings over HTTP against uvicorn and PostgreSQL never double-book a clinician."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import post_with_token
from tests.servers import AsgiServer
from tests.wellness.care.factories import (
    care_create,
    clinician_create,
    daily_rule_create,
    tomorrow_at,
)
from wellness.care.models import Appointment, ClinicianProfile
from wellness.people.models import TokenScope
from wellness.people.services import access_token_create

pytestmark = pytest.mark.integration


def patients_with_tokens(clinician: ClinicianProfile, count: int) -> list[str]:
    return [
        access_token_create(user=care_create(clinician=clinician), name="t", scope=TokenScope.API)[
            1
        ]
        for _ in range(count)
    ]


def book_all(
    server: AsgiServer, clinician: ClinicianProfile, bookings: list[tuple[str, dt.datetime]]
) -> list[int]:
    def book(booking: tuple[str, dt.datetime]) -> int:
        secret, starts_at = booking
        body = {"clinician_id": clinician.pk, "starts_at": starts_at.isoformat()}
        return post_with_token(f"{server.http_url}/api/v1/care/appointments/", secret, body)

    with ThreadPoolExecutor(max_workers=len(bookings)) as pool:
        return list(pool.map(book, bookings))


def test_parallel_bookings_of_one_slot_book_it_once(asgi_server: AsgiServer) -> None:
    clinician = clinician_create()
    daily_rule_create(clinician=clinician)
    secrets = patients_with_tokens(clinician, 12)

    codes = book_all(asgi_server, clinician, [(s, tomorrow_at(9)) for s in secrets])

    assert sorted(codes) == [201] + [409] * 11
    assert Appointment.objects.filter(clinician=clinician, status="booked").count() == 1


def test_parallel_bookings_of_overlapping_slots_of_two_rules_book_one(
    asgi_server: AsgiServer,
) -> None:
    # 09:00-09:30 (and 09:40, 10:20) from one rule, 09:15-10:00 from another: different starts,
    # so only the overlap check under the clinician's lock keeps them apart.
    clinician = clinician_create()
    daily_rule_create(clinician=clinician)
    daily_rule_create(
        clinician=clinician, opens=tomorrow_at(9, 15), window_minutes=45, slot_minutes=45
    )
    secrets = patients_with_tokens(clinician, 12)
    starts = [tomorrow_at(9) if i % 2 else tomorrow_at(9, 15) for i in range(12)]

    codes = book_all(asgi_server, clinician, list(zip(secrets, starts, strict=True)))

    assert sorted(codes) == [201] + [409] * 11
    assert Appointment.objects.filter(clinician=clinician, status="booked").count() == 1
