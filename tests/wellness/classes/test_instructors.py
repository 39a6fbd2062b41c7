"""The instructor role granted by a community organizer to a member of that community."""

from __future__ import annotations

from typing import Any

import pytest

from challenges import services as community_services
from challenges.models import Community, Role
from tests.factories import UserFactory
from tests.wellness.classes.factories import SEGMENTS
from wellness.classes.models import Instructor
from wellness.people.models import User

URL = "/api/v1/classes/instructors/"


@pytest.fixture
def organizer(db: None) -> User:
    return UserFactory.create()


@pytest.fixture
def community(organizer: User) -> Community:
    return community_services.community_create(user=organizer, name="Lakeside Yoga")


def member_of(community: Community, *, role: str = Role.MEMBER) -> User:
    person = UserFactory.create()
    community_services.community_join(user=person, community_id=community.pk)
    if role != Role.MEMBER:
        owner = community.memberships.get(role=Role.OWNER).user
        community_services.membership_set_role(
            user=owner, community_id=community.pk, member_id=person.pk, role=role
        )
    return person


def grant(client: Any, person: User, community: Community | None, **extra: Any) -> Any:
    body: dict[str, Any] = {"user_id": person.pk, **extra}
    if community is not None:
        body["community_id"] = community.pk
    return client.post(URL, body, format="json")


def test_the_owner_grants_the_role_to_a_member_who_can_then_publish(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)

    response = grant(client_for(organizer), member, community, bio="Hatha, 200 h")

    assert response.status_code == 201
    instructor = Instructor.objects.get(user=member)
    assert (instructor.granted_by, instructor.community, instructor.bio) == (
        organizer,
        community,
        "Hatha, 200 h",
    )
    published = client_for(member).post(
        "/api/v1/classes/",
        {"title": "Slow flow", "kind": "yoga", "delivery": "on_demand", "segments": SEGMENTS},
        format="json",
    )
    assert published.status_code == 201


def test_an_organizer_who_is_not_the_owner_may_grant_too(
    client_for: Any, community: Community
) -> None:
    organizer = member_of(community, role=Role.ORGANIZER)
    member = member_of(community)

    response = grant(client_for(organizer), member, community)

    assert response.status_code == 201
    assert Instructor.objects.get(user=member).granted_by == organizer


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_members_and_moderators_may_not_grant(
    client_for: Any, community: Community, role: str
) -> None:
    granter, member = member_of(community, role=role), member_of(community)

    response = grant(client_for(granter), member, community)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Instructor.objects.exists()


def test_an_organizer_cannot_grant_to_someone_outside_the_community(
    client_for: Any, organizer: User, community: Community, other_user: User
) -> None:
    response = grant(client_for(organizer), other_user, community)

    assert response.status_code == 404
    assert not Instructor.objects.exists()


def test_a_member_who_left_is_no_longer_grantable(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    community_services.community_leave(user=member, community_id=community.pk)

    response = grant(client_for(organizer), member, community)

    assert response.status_code == 404
    assert not Instructor.objects.exists()


def test_an_organizer_of_another_community_cannot_grant_here(
    client_for: Any, community: Community
) -> None:
    elsewhere = community_services.community_create(user=UserFactory.create(), name="Runners")
    member = member_of(community)
    outsider_organizer = elsewhere.memberships.get().user

    response = grant(client_for(outsider_organizer), member, community)

    assert response.status_code == 403
    assert not Instructor.objects.exists()


def test_a_private_community_is_a_404_to_those_outside_it(
    client_for: Any, other_user: User
) -> None:
    owner = UserFactory.create()
    private = community_services.community_create(
        user=owner, name="Closed circle", visibility="private", join_policy="invitation"
    )

    response = grant(client_for(other_user), owner, private)

    assert response.status_code == 404
    assert not Instructor.objects.exists()


def test_granting_again_keeps_the_first_grant(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    grant(client_for(organizer), member, community, bio="first")

    again = grant(client_for(organizer), member, community, bio="second")

    assert again.status_code == 201
    assert list(Instructor.objects.values_list("user", "bio")) == [(member.pk, "first")]


@pytest.mark.parametrize("community_id", ["lakeside", 0, -1, 2**31])
def test_a_bad_community_id_is_a_400(
    client_for: Any, organizer: User, community: Community, community_id: Any
) -> None:
    member = member_of(community)

    response = client_for(organizer).post(
        URL, {"user_id": member.pk, "community_id": community_id}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["community_id"]
    assert not Instructor.objects.exists()


def test_an_unknown_community_is_a_404(client_for: Any, organizer: User, other_user: User) -> None:
    response = client_for(organizer).post(
        URL, {"user_id": other_user.pk, "community_id": 987654}, format="json"
    )

    assert response.status_code == 404
    assert not Instructor.objects.exists()


def test_an_organizer_cannot_grant_the_instructor_role_to_themselves(
    client_for: Any, organizer: User, community: Community
) -> None:
    response = grant(client_for(organizer), organizer, community)

    assert response.status_code == 403
    assert not Instructor.objects.filter(user=organizer).exists()
