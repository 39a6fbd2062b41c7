"""The patient's live heart rate in the consultation room, over real sockets: the patient's ingest
socket (as the bridge sends) and both participants' room sockets of the full ASGI application."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from tests.devices.helpers import T0, samples_message
from tests.devices.helpers import connected as ingest_socket
from tests.factories import WorkoutFactory
from tests.wellness.care.factories import make_grant
from tests.wellness.care.rooms.helpers import consultation, in_call, next_of
from wellness.care.models import CareRelationship, ClinicianProfile, GrantCategory, SharingGrant
from wellness.care.rooms import consumers
from wellness.care.rooms.services import LIVE_HR_READ
from wellness.care.services import sharing_grant_revoke
from wellness.people.models import AccessLogEntry, User

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def samples_grant(clinician: ClinicianProfile, patient: User) -> SharingGrant:
    relationship = CareRelationship.objects.get(clinician=clinician, patient=patient)
    return make_grant(relationship=relationship, category=GrantCategory.SAMPLES)


@database_sync_to_async
def recording_workout(patient: User) -> int:
    return int(WorkoutFactory.create(user=patient, started_at=timezone.now()).pk)


@database_sync_to_async
def access_log_of(patient: User) -> list[tuple[str, str]]:
    return list(AccessLogEntry.objects.filter(subject=patient).values_list("accessor_name", "what"))


async def strap_sends(ingest: WebsocketCommunicator, workout_id: int, seq: int, bpm: int) -> None:
    """One batch from the patient's strap, as the bridge sends it, stored and acknowledged."""
    samples = [{"t": T0 + seq, "hr": bpm - 1}, {"t": T0 + seq + 0.5, "hr": bpm}]
    await ingest.send_json_to(samples_message(workout_id, seq, samples))
    ack = await ingest.receive_json_from(timeout=10)
    assert ack["type"] == "ack", ack


async def sharing(patient_ws: WebsocketCommunicator, *, on: bool) -> None:
    await patient_ws.send_json_to({"action": "live_hr", "on": on})
    assert await next_of(patient_ws, "live_hr_sharing") == {"type": "live_hr_sharing", "on": on}


async def test_with_a_samples_grant_the_clinician_sees_the_heart_rate_the_patient_shares() -> None:
    appointment, clinician, patient = await consultation()
    await samples_grant(clinician, patient)
    workout_id = await recording_workout(patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    ingest = await ingest_socket(patient)

    await sharing(patient_ws, on=True)
    assert await next_of(host, "live_hr_start") == {"type": "live_hr_start"}
    await strap_sends(ingest, workout_id, 1, 131)
    await strap_sends(ingest, workout_id, 2, 133)

    first = await next_of(host, "live_hr")
    second = await next_of(host, "live_hr")
    assert (first["bpm"], second["bpm"]) == (131, 133)
    assert second["t"] == T0 + 2.5
    # One audited read when the clinician started receiving, not one per sample.
    assert await access_log_of(patient) == [(clinician.professional_name, LIVE_HR_READ)]
    assert await patient_ws.receive_nothing(timeout=0.2)


async def test_without_a_samples_grant_nothing_is_relayed_and_nothing_read() -> None:
    appointment, clinician, patient = await consultation()
    workout_id = await recording_workout(patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    ingest = await ingest_socket(patient)

    await sharing(patient_ws, on=True)
    clear = await next_of(host, "live_hr_clear")
    await strap_sends(ingest, workout_id, 1, 131)

    assert clear == {"type": "live_hr_clear", "reason": "no_grant"}
    assert await host.receive_nothing(timeout=0.5)
    assert await access_log_of(patient) == []


async def test_nothing_is_relayed_while_the_patient_does_not_share() -> None:
    appointment, clinician, patient = await consultation()
    await samples_grant(clinician, patient)
    workout_id = await recording_workout(patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    ingest = await ingest_socket(patient)

    await strap_sends(ingest, workout_id, 1, 131)
    assert await host.receive_nothing(timeout=0.5)

    await sharing(patient_ws, on=True)
    await next_of(host, "live_hr_start")
    await sharing(patient_ws, on=False)
    clear = await next_of(host, "live_hr_clear")
    await strap_sends(ingest, workout_id, 2, 133)

    assert clear == {"type": "live_hr_clear", "reason": "off"}
    assert await host.receive_nothing(timeout=0.5)
    assert await access_log_of(patient) == [(clinician.professional_name, LIVE_HR_READ)]


async def test_revoking_the_grant_stops_the_relay_and_clears_the_clinicians_view() -> None:
    appointment, clinician, patient = await consultation()
    grant = await samples_grant(clinician, patient)
    workout_id = await recording_workout(patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    ingest = await ingest_socket(patient)
    await sharing(patient_ws, on=True)
    await next_of(host, "live_hr_start")
    await strap_sends(ingest, workout_id, 1, 131)
    assert (await next_of(host, "live_hr"))["bpm"] == 131

    await database_sync_to_async(sharing_grant_revoke)(patient=patient, grant_id=grant.pk)

    assert await next_of(host, "live_hr_clear") == {
        "type": "live_hr_clear",
        "reason": "grant_ended",
    }
    # The call goes on, and the strap's next beats reach no one.
    await strap_sends(ingest, workout_id, 2, 133)
    assert await host.receive_nothing(timeout=0.5)


async def test_a_workout_the_patient_starts_while_sharing_is_heard_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumers, "LIVE_HR_REFRESH_SECONDS", 0.2)
    appointment, clinician, patient = await consultation()
    await samples_grant(clinician, patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    await sharing(patient_ws, on=True)
    await next_of(host, "live_hr_start")

    workout_id = await recording_workout(patient)  # the bridge starts the workout now
    await asyncio.sleep(0.6)  # the relay looks the patient's workouts up again
    await strap_sends(await ingest_socket(patient), workout_id, 1, 140)

    assert (await next_of(host, "live_hr"))["bpm"] == 140


async def test_the_patient_leaving_clears_the_clinicians_view() -> None:
    appointment, clinician, patient = await consultation()
    await samples_grant(clinician, patient)
    host, patient_ws = await in_call(appointment, clinician, patient)
    await sharing(patient_ws, on=True)
    await next_of(host, "live_hr_start")

    await patient_ws.disconnect()

    assert await next_of(host, "live_hr_clear") == {"type": "live_hr_clear", "reason": "off"}
