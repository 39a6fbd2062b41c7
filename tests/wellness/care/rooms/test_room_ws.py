"""The consultation room over real WebSocket connections to the full ASGI application, signed in
with a browser session and sending the browser's Origin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from tests.factories import UserFactory
from tests.wellness.care.rooms.helpers import (
    closed_with,
    consultation,
    in_call,
    joined,
    next_of,
    refused_with,
    room,
)
from wellness.care.appointments import services
from wellness.care.models import Appointment, ClinicianProfile
from wellness.config.asgi import application
from wellness.people.models import TokenScope
from wellness.people.services import access_token_create
from wellness.people.websocket import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_RATE_LIMITED

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_patient_waits_until_the_clinician_admits_them_then_they_see_each_other() -> None:
    appointment, clinician, patient = await consultation()

    host, welcome_host = await joined(clinician.user, appointment.pk)
    waiting_ws, welcome_patient = await joined(patient, appointment.pk)
    waiting = await next_of(host, "waiting")
    await waiting_ws.send_json_to({"action": "chat", "text": "Hello?"})
    refused = await next_of(waiting_ws, "error")
    await host.send_json_to({"action": "admit", "who": "patient"})

    assert (welcome_host["role"], welcome_host["admitted"]) == ("clinician", True)
    assert (welcome_patient["role"], welcome_patient["admitted"]) == ("patient", False)
    assert waiting == {"type": "waiting", "role": "patient", "name": patient.profile.display_name}
    assert refused["code"] == "waiting"
    assert await next_of(waiting_ws, "admitted") == {"type": "admitted"}
    assert (await next_of(host, "peer"))["role"] == "patient"
    assert (await next_of(waiting_ws, "peer"))["name"] == "Dr. Okafor"
    assert (
        await database_sync_to_async(Appointment.objects.get)(pk=appointment.pk)
    ).patient_admitted_at
    await host.disconnect()
    await waiting_ws.disconnect()


async def test_offer_answer_candidates_and_chat_cross_between_the_participants() -> None:
    appointment, clinician, patient = await consultation()
    host, patient_ws = await in_call(appointment, clinician, patient)
    offer = {"kind": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    candidates = [
        {"kind": "candidate", "candidate": f"candidate:{i} 1 udp 1 127.0.0.1 {5000 + i} typ host"}
        for i in range(10)
    ]

    await host.send_json_to({"action": "signal", "to": "patient", "data": offer})
    received_offer = await next_of(patient_ws, "signal")
    await patient_ws.send_json_to({"action": "signal", "data": {"kind": "answer", "sdp": "v=0"}})
    received_answer = await next_of(host, "signal")
    for candidate in candidates:
        await patient_ws.send_json_to({"action": "signal", "data": candidate})
    received = [(await next_of(host, "signal"))["data"] for _ in candidates]
    await patient_ws.send_json_to({"action": "chat", "text": "I can hear you"})

    assert received_offer == {"type": "signal", "from": "clinician", "data": offer}
    assert received_answer["data"] == {"kind": "answer", "sdp": "v=0"}
    assert received == candidates
    for ws in (host, patient_ws):
        chat = await next_of(ws, "chat")
        assert (chat["from"], chat["text"]) == ("patient", "I can hear you")
    await host.disconnect()
    await patient_ws.disconnect()


async def test_a_guest_with_the_invitation_joins_once_admitted_and_gets_signals_meant_for_them() -> (
    None
):
    appointment, clinician, patient = await consultation()
    interpreter = await database_sync_to_async(UserFactory.create)(consented=True)
    code = await database_sync_to_async(services.guest_invitation_create)(
        user=patient, appointment_id=appointment.pk
    )
    await database_sync_to_async(services.guest_invitation_accept)(
        user=interpreter, invitation=code
    )
    host, patient_ws = await in_call(appointment, clinician, patient)

    guest, welcome = await joined(interpreter, appointment.pk)
    await next_of(host, "waiting")
    await host.send_json_to({"action": "admit", "who": "guest"})
    await next_of(guest, "admitted")
    assert (await next_of(host, "peer"))["role"] == "guest"  # signals go to peers present
    await host.send_json_to(
        {"action": "signal", "to": "guest", "data": {"kind": "offer", "sdp": "x"}}
    )

    assert welcome["role"] == "guest"
    assert (await next_of(guest, "signal"))["data"] == {"kind": "offer", "sdp": "x"}
    assert (await next_of(patient_ws, "peer"))["role"] == "guest"
    assert await patient_ws.receive_nothing(timeout=0.3)  # the offer was for the guest only
    for ws in (host, patient_ws, guest):
        await ws.disconnect()


async def test_a_signal_to_someone_not_in_the_room_is_answered_with_an_error() -> None:
    appointment, clinician, patient = await consultation()
    host, patient_ws = await in_call(appointment, clinician, patient)

    await host.send_json_to({"action": "signal", "to": "guest", "data": {"kind": "offer"}})

    assert (await next_of(host, "error"))["code"] == "peer_absent"
    assert await patient_ws.receive_nothing(timeout=0.3)
    await host.disconnect()
    await patient_ws.disconnect()


async def test_a_person_not_in_the_appointment_is_refused_with_4404() -> None:
    appointment, _, _ = await consultation()
    stranger = await database_sync_to_async(UserFactory.create)(consented=True)

    assert await refused_with(await room(stranger, appointment.pk)) == CLOSE_NOT_FOUND
    assert await refused_with(await room(stranger, 2_000_000)) == CLOSE_NOT_FOUND


async def test_the_clinician_of_an_unverified_profile_is_refused_with_4404() -> None:
    appointment, clinician, _ = await consultation()
    await database_sync_to_async(ClinicianProfile.objects.filter(pk=clinician.pk).update)(
        verified_at=None
    )

    assert await refused_with(await room(clinician.user, appointment.pk)) == CLOSE_NOT_FOUND


async def test_participants_are_refused_with_4403_before_the_room_opens_and_after_a_cancel() -> (
    None
):
    early, _, early_patient = await consultation(starts_in=dt.timedelta(minutes=20))
    cancelled, _, cancelled_patient = await consultation()
    await database_sync_to_async(Appointment.objects.filter(pk=cancelled.pk).update)(
        status="cancelled"
    )

    assert await refused_with(await room(early_patient, early.pk)) == CLOSE_FORBIDDEN
    assert await refused_with(await room(cancelled_patient, cancelled.pk)) == CLOSE_FORBIDDEN


async def test_a_socket_from_another_site_or_with_a_token_is_refused() -> None:
    appointment, _, patient = await consultation()
    secret = await database_sync_to_async(
        lambda: access_token_create(user=patient, name="t", scope=TokenScope.API)[1]
    )()
    token_ws = WebsocketCommunicator(
        application,
        f"/ws/v1/rooms/{appointment.pk}/",
        headers=[(b"authorization", f"Bearer {secret}".encode())],
    )

    connected, _ = await (
        await room(patient, appointment.pk, origin=(b"origin", b"https://evil.example"))
    ).connect()
    assert not connected
    assert await refused_with(token_ws) == CLOSE_FORBIDDEN


async def test_cancelling_closes_the_room_for_everyone() -> None:
    appointment, clinician, patient = await consultation()
    host, patient_ws = await in_call(appointment, clinician, patient)

    await database_sync_to_async(services.appointment_cancel)(
        user=patient, appointment_id=appointment.pk
    )

    assert await closed_with(host) == CLOSE_FORBIDDEN
    assert await closed_with(patient_ws) == CLOSE_FORBIDDEN


async def test_the_end_of_care_closes_the_room() -> None:
    appointment, clinician, patient = await consultation()
    host, patient_ws = await in_call(appointment, clinician, patient)

    await database_sync_to_async(services.appointments_close_for_care_ended)(
        patient_id=patient.pk, clinician_id=clinician.pk
    )

    assert await closed_with(patient_ws) == CLOSE_FORBIDDEN
    assert await closed_with(host) == CLOSE_FORBIDDEN


async def test_the_room_closes_at_the_appointments_end() -> None:
    appointment, clinician, _ = await consultation(starts_in=dt.timedelta(minutes=-30), minutes=30)
    await database_sync_to_async(Appointment.objects.filter(pk=appointment.pk).update)(
        ends_at=timezone.now() + dt.timedelta(seconds=3)
    )
    host, _ = await joined(clinician.user, appointment.pk)

    assert await closed_with(host) == CLOSE_FORBIDDEN


async def test_a_flood_of_messages_closes_the_socket_with_4429() -> None:
    appointment, clinician, patient = await consultation()
    host, patient_ws = await in_call(appointment, clinician, patient)

    for _ in range(40):
        await host.send_json_to({"action": "chat", "text": "spam"})

    assert await closed_with(host) == CLOSE_RATE_LIMITED
    await patient_ws.disconnect()


async def test_the_welcome_carries_ice_servers_with_time_limited_turn_credentials(
    settings: Any,
) -> None:
    settings.WELLVERSE_STUN_URLS = ["stun:turn.example.org:3478"]
    settings.WELLVERSE_TURN_URLS = ["turn:turn.example.org:3478?transport=udp"]
    settings.WELLVERSE_TURN_SECRET = "coturn-shared-secret"
    settings.WELLVERSE_TURN_CREDENTIAL_SECONDS = 3600
    appointment, _, patient = await consultation()

    ws, welcome = await joined(patient, appointment.pk)

    stun, turn = welcome["ice_servers"]
    assert stun == {"urls": ["stun:turn.example.org:3478"]}
    expiry, user = turn["username"].split(":")
    assert user == str(patient.pk)
    assert 3590 < int(expiry) - timezone.now().timestamp() <= 3600
    assert turn["urls"] == ["turn:turn.example.org:3478?transport=udp"]
    assert len(turn["credential"]) == 28  # base64 of a 20-byte HMAC-SHA1
    await ws.disconnect()
