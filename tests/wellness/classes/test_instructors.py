"""The instructor role granted by a community organizer to a member of that community: only in a
community of ``INSTRUCTOR_GRANT_MIN_MEMBERS`` active members or by an organizer an administrator
verified; such an instructor publishes in that community only, the global catalogue needs one an
administrator granted (issue 19, point 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings

from challenges import services as community_services
from challenges.models import Community, Membership, Role
from tests.factories import UserFactory
from tests.wellness.classes.factories import SEGMENTS
from wellness.classes.models import Booking, ClassOccurrence, FitnessClass, Instructor
from wellness.people.models import User

URL = "/api/v1/classes/instructors/"


@pytest.fixture
def organizer(db: None) -> User:
    return UserFactory.create()


@pytest.fixture
def community(organizer: User) -> Community:
    """A community just big enough for its organizers to grant the role (the owner counts)."""
    created = community_services.community_create(user=organizer, name="Lakeside Yoga")
    for _ in range(settings.INSTRUCTOR_GRANT_MIN_MEMBERS - 1):
        community_services.community_join(user=UserFactory.create(), community_id=created.pk)
    return created


@pytest.fixture
def small(organizer: User) -> Community:
    """A community of its owner and one member."""
    created = community_services.community_create(user=organizer, name="Two of us")
    community_services.community_join(user=UserFactory.create(), community_id=created.pk)
    return created


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


def publish(client: Any, community: Community | None) -> Any:
    body: dict[str, Any] = {
        "title": "Slow flow",
        "kind": "yoga",
        "delivery": "on_demand",
        "segments": SEGMENTS,
    }
    if community is not None:
        body["community_id"] = community.pk
    return client.post("/api/v1/classes/", body, format="json")


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
    published = publish(client_for(member), community)
    assert published.status_code == 201
    assert published.json()["community_id"] == community.pk


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


# --- Who may grant: enough members, or an organizer an administrator verified -------------------
def test_the_organizer_of_a_small_community_may_not_grant(
    client_for: Any, organizer: User, small: Community
) -> None:
    member = small.memberships.exclude(user=organizer).get().user

    response = grant(client_for(organizer), member, small)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        f"A community needs at least {settings.INSTRUCTOR_GRANT_MIN_MEMBERS} active members "
        "before its organizers can grant the instructor role (this one has 2); an administrator "
        "can verify you as an organizer instead."
    )
    assert not Instructor.objects.exists()


def test_members_who_left_do_not_count_towards_the_minimum(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    for leaving in community.memberships.exclude(user__in=[organizer, member])[:2]:
        community_services.community_leave(user=leaving.user, community_id=community.pk)

    response = grant(client_for(organizer), member, community)  # 11 joined, 9 still active

    assert response.status_code == 403
    assert not Instructor.objects.exists()


def test_the_minimum_is_a_setting(
    client_for: Any, organizer: User, small: Community, settings: Settings
) -> None:
    settings.INSTRUCTOR_GRANT_MIN_MEMBERS = 2
    member = small.memberships.exclude(user=organizer).get().user

    response = grant(client_for(organizer), member, small)

    assert response.status_code == 201
    assert Instructor.objects.get().community == small


def test_an_organizer_an_administrator_verified_may_grant_in_a_small_community(
    client_for: Any, organizer: User, small: Community, admin: User
) -> None:
    member = small.memberships.exclude(user=organizer).get().user

    verified = client_for(admin).put(f"/api/v1/organizers/{organizer.pk}/verified/")
    response = grant(client_for(organizer), member, small)

    assert verified.status_code == 200
    assert verified.json()["user_id"] == organizer.pk
    assert response.status_code == 201
    assert Instructor.objects.get().community == small


def test_a_verified_organizer_still_grants_only_in_a_community_they_organize(
    client_for: Any, small: Community, admin: User
) -> None:
    member = small.memberships.get(role=Role.MEMBER).user
    outsider = UserFactory.create()
    client_for(admin).put(f"/api/v1/organizers/{outsider.pk}/verified/")
    community_services.community_join(user=outsider, community_id=small.pk)  # a plain member

    response = grant(client_for(outsider), member, small)

    assert response.status_code == 403
    assert not Instructor.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_only_an_administrator_verifies_organizers(
    client_for: Any, organizer: User, small: Community, method: str
) -> None:
    response = getattr(client_for(organizer), method)(
        f"/api/v1/organizers/{organizer.pk}/verified/"
    )

    assert response.status_code == 403
    member = small.memberships.exclude(user=organizer).get().user
    assert grant(client_for(organizer), member, small).status_code == 403
    assert not Instructor.objects.exists()


def test_a_withdrawn_verification_stops_further_grants(
    client_for: Any, organizer: User, small: Community, admin: User
) -> None:
    client_for(admin).put(f"/api/v1/organizers/{organizer.pk}/verified/")

    withdrawn = client_for(admin).delete(f"/api/v1/organizers/{organizer.pk}/verified/")
    member = small.memberships.exclude(user=organizer).get().user

    assert withdrawn.status_code == 204
    assert grant(client_for(organizer), member, small).status_code == 403
    assert not Instructor.objects.exists()


# --- Where an instructor publishes ---------------------------------------------------------------
def test_a_community_granted_instructor_cannot_publish_in_the_global_catalogue(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    grant(client_for(organizer), member, community)

    response = publish(client_for(member), None)

    assert response.status_code == 403
    assert "granted by an administrator" in response.json()["error"]["message"]
    assert not FitnessClass.objects.exists()


def test_a_community_granted_instructor_cannot_publish_in_another_community(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    grant(client_for(organizer), member, community)
    elsewhere = community_services.community_create(user=UserFactory.create(), name="Runners")
    community_services.community_join(user=member, community_id=elsewhere.pk)

    response = publish(client_for(member), elsewhere)

    assert response.status_code == 403
    assert not FitnessClass.objects.exists()


def test_an_instructor_who_left_their_community_cannot_publish_there(
    client_for: Any, organizer: User, community: Community
) -> None:
    member = member_of(community)
    grant(client_for(organizer), member, community)
    community_services.community_leave(user=member, community_id=community.pk)

    response = publish(client_for(member), community)

    assert response.status_code == 403
    assert not FitnessClass.objects.exists()


def test_an_administrator_granted_instructor_publishes_in_the_global_catalogue(
    client_for: Any, instructor: Instructor
) -> None:
    response = publish(client_for(instructor.user), None)

    assert response.status_code == 201
    assert response.json()["community_id"] is None
    assert FitnessClass.objects.get().community is None


def test_an_administrator_granted_instructor_publishes_in_a_community_they_belong_to(
    client_for: Any, instructor: Instructor, community: Community
) -> None:
    outside = publish(client_for(instructor.user), community)
    community_services.community_join(user=instructor.user, community_id=community.pk)

    inside = publish(client_for(instructor.user), community)

    assert (outside.status_code, inside.status_code) == (403, 201)
    assert FitnessClass.objects.get().community == community


def test_only_an_administrator_grants_for_the_global_catalogue(
    client_for: Any, organizer: User, community: Community, admin: User
) -> None:
    member = member_of(community)

    refused = grant(client_for(organizer), member, None)
    granted = grant(client_for(admin), member, None)

    assert (refused.status_code, granted.status_code) == (403, 201)
    assert Instructor.objects.get().community is None
    assert publish(client_for(member), None).status_code == 201


# --- Who sees a community's classes ---------------------------------------------------------------
def test_a_private_communitys_classes_are_seen_and_booked_by_its_members_only(
    client_for: Any, admin: User, other_user: User
) -> None:
    owner = UserFactory.create()
    private = community_services.community_create(
        user=owner, name="Closed circle", visibility="private", join_policy="invitation"
    )
    client_for(admin).put(f"/api/v1/organizers/{owner.pk}/verified/")
    member = UserFactory.create()
    Membership.objects.create(community=private, user=member)
    grant(client_for(owner), member, private)
    live = (
        client_for(member)
        .post(
            "/api/v1/classes/",
            {
                "title": "Evening flow",
                "kind": "yoga",
                "delivery": "live",
                "segments": SEGMENTS,
                "capacity": 5,
                "first_start_local": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
                .replace(tzinfo=None, microsecond=0)
                .isoformat(),
                "community_id": private.pk,
            },
            format="json",
        )
        .json()
    )
    occurrence = ClassOccurrence.objects.filter(fitness_class_id=live["id"]).first()
    assert occurrence is not None

    listed = client_for(other_user).get("/api/v1/classes/").json()["results"]
    detail = client_for(other_user).get(f"/api/v1/classes/{live['id']}/")
    booked = client_for(other_user).post(
        "/api/v1/classes/bookings/", {"occurrence_id": occurrence.pk}, format="json"
    )
    seen_by_owner = client_for(owner).get("/api/v1/classes/").json()["results"]

    assert live["community_id"] == private.pk
    assert [c["id"] for c in listed] == []
    assert (detail.status_code, booked.status_code) == (404, 404)
    assert not Booking.objects.exists()
    assert [c["id"] for c in seen_by_owner] == [live["id"]]
