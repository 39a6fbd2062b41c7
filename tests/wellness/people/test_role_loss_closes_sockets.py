"""Losing a role closes the sockets the person opened while holding it, on every path that takes
a role away: revoking an instructor (their class socket opened as instructor), unticking staff in
the admin, demoting or losing a community's organizer (real ASGI application and channel layer)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from pytest_django.fixtures import Settings

from challenges import services as community_services
from challenges.models import Membership, Role
from tests.factories import UserFactory
from tests.helpers import ClientFor, admin_browser
from tests.wellness.classes.factories import FitnessClassFactory
from tests.wellness.people.helpers import closed_with, open_socket
from wellness.classes import services as classes_services
from wellness.classes.models import Instructor
from wellness.core.groups import person_sockets_group, user_group
from wellness.people.models import User
from wellness.people.roles import registered_roles, role_remove
from wellness.people.websocket import CLOSE_FORBIDDEN

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


async def still_open(ws: WebsocketCommunicator, user: User) -> bool:
    """A notification socket that still receives its person's events."""
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": "notify", "event": {"kind": "still here"}}
    )
    return bool(await ws.receive_json_from(timeout=2) == {"kind": "still here"})


@database_sync_to_async
def class_taught_by(instructor: Instructor) -> int:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=2).occurrences.get()
    return int(occurrence.pk)


async def test_revoking_the_instructor_role_closes_their_class_socket(
    instructor: Instructor, admin: User, client_for: ClientFor
) -> None:
    occurrence_id = await class_taught_by(instructor)
    browser = await signed_in(instructor.user)
    console = await open_socket(browser, f"/ws/v1/classes/{occurrence_id}/")
    assert (await console.receive_json_from(timeout=2))["type"] == "state"
    notifications = await open_socket(browser, "/ws/v1/notifications/")

    response = await database_sync_to_async(
        lambda: client_for(admin).delete(f"/api/v1/classes/instructors/{instructor.user_id}/")
    )()

    assert response.status_code == 204
    assert await closed_with(console) == CLOSE_FORBIDDEN
    assert not await database_sync_to_async(
        Instructor.objects.filter(user_id=instructor.user_id).exists
    )()
    # A socket the role did not open stays.
    assert await still_open(notifications, instructor.user)
    await notifications.disconnect()


async def test_a_participants_class_socket_stays_open_when_the_instructor_loses_the_role(
    instructor: Instructor,
) -> None:
    occurrence_id = await class_taught_by(instructor)
    participant = await database_sync_to_async(UserFactory.create)(consented=True)
    await database_sync_to_async(classes_services.booking_create)(
        user=participant, occurrence_id=occurrence_id
    )
    socket = await open_socket(await signed_in(participant), f"/ws/v1/classes/{occurrence_id}/")
    assert (await socket.receive_json_from(timeout=2))["type"] == "state"

    removed = await database_sync_to_async(role_remove)(user=instructor.user, role="instructor")

    assert removed
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


def test_only_an_admin_or_the_granting_communitys_organizer_may_revoke(
    instructor: Instructor, consenting_user: User, client_for: ClientFor
) -> None:
    response = client_for(consenting_user).delete(
        f"/api/v1/classes/instructors/{instructor.user_id}/"
    )

    assert response.status_code == 404
    assert Instructor.objects.filter(pk=instructor.pk).exists()


def test_an_organizer_revokes_the_grant_made_in_their_community(
    client_for: ClientFor, settings: Settings
) -> None:
    # A community of two may grant here: who may grant is tests/wellness/classes/test_instructors.py's.
    settings.INSTRUCTOR_GRANT_MIN_MEMBERS = 2
    owner, member = UserFactory.create(), UserFactory.create(consented=True)
    community = community_services.community_create(user=owner, name="Lakeside Yoga")
    community_services.community_join(user=member, community_id=community.pk)
    classes_services.instructor_grant(
        granted_by=owner, user_id=member.pk, community_id=community.pk
    )

    response = client_for(owner).delete(f"/api/v1/classes/instructors/{member.pk}/")

    assert response.status_code == 204
    assert not Instructor.objects.filter(user=member).exists()


async def test_unticking_staff_in_the_admin_closes_the_sockets_opened_as_staff() -> None:
    staff_member = await database_sync_to_async(UserFactory.create)(is_staff=True)
    _, admin = await database_sync_to_async(admin_browser)()
    notifications = await open_socket(await signed_in(staff_member), "/ws/v1/notifications/")

    response = await database_sync_to_async(admin.post)(
        f"/admin/wellness/user/{staff_member.pk}/change/",
        {"email": staff_member.email, "is_active": "on"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert await closed_with(notifications) == CLOSE_FORBIDDEN
    await database_sync_to_async(staff_member.refresh_from_db)()
    assert not staff_member.is_staff


async def test_an_admin_edit_that_keeps_staff_leaves_the_sockets_open() -> None:
    staff_member = await database_sync_to_async(UserFactory.create)(is_staff=True)
    _, admin = await database_sync_to_async(admin_browser)()
    notifications = await open_socket(await signed_in(staff_member), "/ws/v1/notifications/")

    response = await database_sync_to_async(admin.post)(
        f"/admin/wellness/user/{staff_member.pk}/change/",
        {"email": staff_member.email, "is_active": "on", "is_staff": "on"},
    )

    assert response.status_code == 302
    assert await still_open(notifications, staff_member)
    await notifications.disconnect()


async def role_events(user: User) -> tuple[Any, str]:
    """A channel in the person's sockets group, as every cookie socket of theirs joins it."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(person_sockets_group(user.pk), channel)
    return layer, channel


@database_sync_to_async
def community_with_organizer() -> tuple[User, User, int]:
    owner, organizer = UserFactory.create(), UserFactory.create()
    community = community_services.community_create(user=owner, name="Riverside Runners")
    community_services.community_join(user=organizer, community_id=community.pk)
    community_services.membership_set_role(
        user=owner, community_id=community.pk, member_id=organizer.pk, role=Role.ORGANIZER
    )
    return owner, organizer, community.pk


@pytest.mark.parametrize("how", ["demoted", "left", "removed"])
async def test_losing_the_organizer_role_closes_the_sockets_it_opened(how: str) -> None:
    owner, organizer, community_id = await community_with_organizer()
    layer, channel = await role_events(organizer)

    if how == "demoted":
        await database_sync_to_async(community_services.membership_set_role)(
            user=owner, community_id=community_id, member_id=organizer.pk, role=Role.MEMBER
        )
    elif how == "left":
        await database_sync_to_async(community_services.community_leave)(
            user=organizer, community_id=community_id
        )
    else:
        await database_sync_to_async(role_remove)(
            user=organizer, role="organizer", scope=community_id
        )

    event = await layer.receive(channel)
    assert (event["type"], event["reason"], event["role"]) == (
        "sockets.close",
        "role_lost",
        "organizer",
    )
    membership = await database_sync_to_async(Membership.objects.get)(
        community_id=community_id, user=organizer
    )
    assert membership.role == Role.MEMBER or how == "left"


async def test_a_member_made_moderator_loses_no_role() -> None:
    owner = await database_sync_to_async(UserFactory.create)()
    member = await database_sync_to_async(UserFactory.create)()
    community = await database_sync_to_async(community_services.community_create)(
        user=owner, name="Hill Walkers"
    )
    await database_sync_to_async(community_services.community_join)(
        user=member, community_id=community.pk
    )
    layer, channel = await role_events(member)

    await database_sync_to_async(community_services.membership_set_role)(
        user=owner, community_id=community.pk, member_id=member.pk, role=Role.MODERATOR
    )

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await layer.receive(channel)


def test_the_roles_of_every_app_are_registered() -> None:
    assert {"staff", "instructor", "organizer"} <= set(registered_roles())
