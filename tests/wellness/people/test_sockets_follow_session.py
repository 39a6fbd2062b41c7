"""Sockets follow the session: signing out, deleting the account, withdrawing consent or losing a
role closes the person's cookie-authenticated notification, world and class sockets (the real ASGI
application, driven by ``WebsocketCommunicator``)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from tests.wellness.people.helpers import closed_with, open_socket
from tests.worlds.factories import WorldFactory
from wellness.classes import services as classes_services
from wellness.classes.models import Instructor
from wellness.core.groups import user_group
from wellness.people.models import User
from wellness.people.services import person_sockets_close
from wellness.people.websocket import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def browser_for(user: User) -> Client:
    browser = Client()
    response = browser.post(
        "/api/v1/auth/login/",
        {"email": user.email, "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return browser


@database_sync_to_async
def post(browser: Client, path: str, body: dict[str, Any] | None = None) -> int:
    return browser.post(path, body or {}, content_type="application/json").status_code


@database_sync_to_async
def delete(browser: Client, path: str, body: dict[str, Any]) -> int:
    return browser.delete(path, body, content_type="application/json").status_code


async def test_signing_out_closes_the_sessions_notification_socket(consenting_user: User) -> None:
    browser = await browser_for(consenting_user)
    ws = await open_socket(browser, "/ws/v1/notifications/")

    assert await post(browser, "/api/v1/auth/logout/") == 204

    assert await closed_with(ws) == CLOSE_UNAUTHENTICATED


async def test_signing_out_leaves_the_persons_other_sessions_open(consenting_user: User) -> None:
    leaving, staying = await browser_for(consenting_user), await browser_for(consenting_user)
    ws_leaving = await open_socket(leaving, "/ws/v1/notifications/")
    ws_staying = await open_socket(staying, "/ws/v1/notifications/")

    await post(leaving, "/api/v1/auth/logout/")
    assert await closed_with(ws_leaving) == CLOSE_UNAUTHENTICATED
    await get_channel_layer().group_send(
        user_group(consenting_user.pk), {"type": "notify", "event": {"kind": "still here"}}
    )

    assert await ws_staying.receive_json_from(timeout=2) == {"kind": "still here"}
    await ws_staying.disconnect()


async def test_deleting_the_account_closes_its_world_socket(consenting_user: User) -> None:
    world = await database_sync_to_async(WorldFactory.create)()
    browser = await browser_for(consenting_user)
    ws = await open_socket(browser, f"/ws/v1/worlds/{world.pk}/")

    assert await delete(browser, "/api/v1/me/", {"password": TEST_PASSWORD}) == 204

    assert await closed_with(ws) == CLOSE_UNAUTHENTICATED


async def test_withdrawing_consent_closes_every_socket(consenting_user: User) -> None:
    browser = await browser_for(consenting_user)
    notifications = await open_socket(browser, "/ws/v1/notifications/")
    other_browser = await browser_for(consenting_user)
    elsewhere = await open_socket(other_browser, "/ws/v1/notifications/")

    status = await post(browser, "/api/v1/consent/health-data/", {"granted": False})

    assert status == 200
    assert await closed_with(notifications) == CLOSE_FORBIDDEN
    assert await closed_with(elsewhere) == CLOSE_FORBIDDEN


@database_sync_to_async
def booked_occurrence(instructor: Instructor, person: User) -> int:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=2).occurrences.get()
    classes_services.booking_create(user=person, occurrence_id=occurrence.pk)
    return occurrence.pk


async def test_losing_a_role_closes_the_class_socket(instructor: Instructor) -> None:
    participant = await database_sync_to_async(UserFactory.create)(consented=True)
    occurrence_id = await booked_occurrence(instructor, participant)
    browser = await browser_for(participant)
    ws = await open_socket(browser, f"/ws/v1/classes/{occurrence_id}/")

    await database_sync_to_async(person_sockets_close)(user_id=participant.pk, reason="role_lost")

    assert await closed_with(ws) == CLOSE_FORBIDDEN
