"""When a clinician's sight of a patient ends (revoked, expired, relationship ended), the grant-end
listeners hear of it; when the care itself ends the clinician's open sockets close too, while one
grant ending leaves them (and a call) open (the real ASGI application)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, UserFactory
from tests.wellness.care.factories import make_clinician, make_grant, make_relationship
from wellness.care import services
from wellness.care.models import CareRelationship, GrantCategory, SharingGrant
from wellness.config.asgi import application
from wellness.people.models import User
from wellness.people.websocket import CLOSE_FORBIDDEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard() -> Iterator[list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    services.register_grant_end_listener("test", lambda c, p: calls.append((c, p)))
    yield calls
    services._grant_end_listeners.pop("test")


@database_sync_to_async
def _setting() -> tuple[Client, Client, CareRelationship, SharingGrant]:
    clinician = make_clinician()
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    patient = UserFactory.create(consented=True)
    relationship = make_relationship(patient=patient, clinician=clinician)
    grant = make_grant(relationship=relationship, category=GrantCategory.SAMPLES)
    return (
        _signed_in(clinician.user, f"{totp(device.bin_key):06d}"),
        _signed_in(patient),
        relationship,
        grant,
    )


def _signed_in(user: User, code: str = "") -> Client:
    browser = Client()
    response = browser.post(
        "/api/v1/auth/login/",
        {"email": user.email, "password": TEST_PASSWORD, "code": code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return browser


async def _socket(browser: Client) -> WebsocketCommunicator:
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    ws = WebsocketCommunicator(
        application, "/ws/v1/notifications/", headers=[(b"cookie", cookie.encode())]
    )
    connected, code = await ws.connect()
    assert connected, code
    return ws


async def _closed_with(ws: WebsocketCommunicator) -> int:
    message = await ws.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
    return int(message["code"])


async def test_revoking_a_grant_tells_the_listeners_and_leaves_the_clinicians_sockets_open(
    heard: list[tuple[int, int]],
) -> None:
    clinician_browser, patient_browser, relationship, grant = await _setting()
    ws = await _socket(clinician_browser)
    patient_ws = await _socket(patient_browser)

    revoked = await database_sync_to_async(patient_browser.delete)(
        f"/api/v1/care/grants/{grant.pk}/"
    )

    assert revoked.status_code == 200
    assert heard == [(relationship.clinician.user_id, relationship.patient_id)]
    assert await ws.receive_nothing(timeout=0.3)
    assert await patient_ws.receive_nothing(timeout=0.2)
    await ws.disconnect()
    await patient_ws.disconnect()


async def test_ending_the_relationship_closes_the_clinicians_sockets(
    heard: list[tuple[int, int]],
) -> None:
    clinician_browser, patient_browser, relationship, _ = await _setting()
    ws = await _socket(clinician_browser)

    ended = await database_sync_to_async(patient_browser.delete)(
        f"/api/v1/care/relationships/{relationship.pk}/"
    )

    assert ended.status_code == 204
    assert await _closed_with(ws) == CLOSE_FORBIDDEN
    assert heard == [(relationship.clinician.user_id, relationship.patient_id)]


async def test_the_expiry_job_tells_the_listeners_once_the_grant_has_expired(
    heard: list[tuple[int, int]],
) -> None:
    clinician_browser, _, relationship, grant = await _setting()
    ws = await _socket(clinician_browser)

    assert await database_sync_to_async(services.sharing_grant_expire)(grant_id=grant.pk) is False
    assert await ws.receive_nothing(timeout=0.2)
    await database_sync_to_async(SharingGrant.objects.filter(pk=grant.pk).update)(
        starts_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now()
    )
    assert await database_sync_to_async(services.sharing_grant_expire)(grant_id=grant.pk) is True

    assert heard == [(relationship.clinician.user_id, relationship.patient_id)]
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()
