"""The consultation room's sockets as the room tests drive them: a consultation, a browser
session, a socket with the browser's Origin, the call with both participants in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.wellness.care.factories import appointment_create, care_create, clinician_create
from wellness.care.models import Appointment, ClinicianProfile
from wellness.config.asgi import application
from wellness.people.models import User
from wellness.people.twofactor import recovery_codes_renew

ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def consultation(
    *, starts_in: dt.timedelta = dt.timedelta(minutes=5), minutes: int = 30
) -> tuple[Appointment, ClinicianProfile, User]:
    """A verified clinician, a patient in their care and an appointment starting soon."""
    clinician = clinician_create()
    patient = care_create(clinician=clinician)
    appointment = appointment_create(
        clinician=clinician, patient=patient, starts_at=timezone.now() + starts_in, minutes=minutes
    )
    return appointment, clinician, patient


@database_sync_to_async
def session_of(user: User) -> str:
    """Sign in as a browser does (with a recovery code when the person has a second factor)."""
    browser = Client()
    body = {"email": user.email, "password": TEST_PASSWORD}
    if ClinicianProfile.objects.filter(user=user).exists():
        body["code"] = recovery_codes_renew(user=user)[0]
    response = browser.post("/api/v1/auth/login/", body, content_type="application/json")
    assert response.status_code == 200, response.json()
    return str(browser.cookies["sessionid"].value)


async def room(
    user: User, appointment_id: int, *, origin: tuple[bytes, bytes] = ORIGIN
) -> WebsocketCommunicator:
    cookie = f"sessionid={await session_of(user)}".encode()
    return WebsocketCommunicator(
        application, f"/ws/v1/rooms/{appointment_id}/", headers=[(b"cookie", cookie), origin]
    )


async def joined(user: User, appointment_id: int) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    ws = await room(user, appointment_id)
    connected, code = await ws.connect(timeout=10)
    assert connected, code
    return ws, await ws.receive_json_from(timeout=10)


async def refused_with(ws: WebsocketCommunicator) -> int | None:
    connected, code = await ws.connect(timeout=10)
    assert not connected
    return int(code) if code is not None else None


async def closed_with(ws: WebsocketCommunicator, timeout: float = 10) -> int:
    for _ in range(50):
        message = await ws.receive_output(timeout=timeout)
        if message["type"] == "websocket.close":
            return int(message["code"])
    raise AssertionError("the socket stayed open")


async def next_of(ws: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    for _ in range(20):
        message: dict[str, Any] = await ws.receive_json_from(timeout=10)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


async def in_call(appointment: Appointment, clinician: ClinicianProfile, patient: User) -> tuple[
    WebsocketCommunicator, WebsocketCommunicator
]:  # fmt: skip
    host, _ = await joined(clinician.user, appointment.pk)
    guest_ws, _ = await joined(patient, appointment.pk)
    await next_of(host, "waiting")
    await host.send_json_to({"action": "admit", "who": "patient"})
    await next_of(guest_ws, "admitted")
    await next_of(host, "peer")
    await next_of(guest_ws, "peer")
    return host, guest_ws
