"""The challenges API: communities, membership, challenges, organizer tools, bad input."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.test import APIClient

from challenges import services
from challenges.goals import goal_types
from challenges.models import (
    Challenge,
    Community,
    Contribution,
    Membership,
    Participant,
    Team,
)
from tests.challenges.factories import ChallengeFactory, CommunityFactory, ScoredWorkoutFactory
from tests.factories import UserFactory
from tests.helpers import ClientFor
from wellness.people.models import User

pytestmark = pytest.mark.django_db

CHALLENGE = {
    "title": "Run November",
    "starts_on": "2026-11-01",
    "ends_on": "2026-11-30",
    "goal_type": "distance",
    "target": 50,
}


def test_organizer_creates_a_community_and_a_challenge_in_it(
    client_for: ClientFor, user: User
) -> None:
    client = client_for(user)

    created = client.post("/api/v1/communities/", {"name": "Lakeside Runners"}).json()
    response = client.post("/api/v1/challenges/", CHALLENGE | {"community_id": created["id"]})

    assert response.status_code == 201
    assert response.json()["target"] == 50.0
    assert response.json()["unit"] == "km"
    assert Challenge.objects.get().target == 50_000
    assert Membership.objects.get().role == "owner"


def test_open_community_admits_at_once_and_approval_queues(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    open_one = CommunityFactory.create(user=user)
    approval = CommunityFactory.create(user=user, name="Quiet Yoga", join_policy="approval")
    client = client_for(other_user)

    joined = client.post(f"/api/v1/communities/{open_one.pk}/join/").json()
    queued = client.post(f"/api/v1/communities/{approval.pk}/join/").json()
    client_for(user).post(f"/api/v1/communities/{approval.pk}/members/{other_user.pk}/approve/")

    assert (joined["status"], queued["status"]) == ("active", "pending")
    assert Membership.objects.get(community=approval, user=other_user).status == "active"


def test_private_community_is_invisible_but_its_invitation_link_admits(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    private = CommunityFactory.create(user=user, visibility="private", join_policy="invitation")
    client = client_for(other_user)

    hidden = client.get(f"/api/v1/communities/{private.pk}/")
    listed = client.get("/api/v1/communities/").json()["results"]
    refused = client.post(f"/api/v1/communities/{private.pk}/join/")
    admitted = client.post(
        f"/api/v1/communities/{private.pk}/join/", {"invite_code": private.invite_code}
    )

    assert hidden.status_code == 404
    assert listed == []
    assert refused.status_code == 404
    assert admitted.status_code == 201
    assert client.get(f"/api/v1/communities/{private.pk}/").status_code == 200


def test_invitation_only_public_community_refuses_a_join_without_the_link(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    invite_only = CommunityFactory.create(user=user, join_policy="invitation")

    response = client_for(other_user).post(f"/api/v1/communities/{invite_only.pk}/join/")

    assert response.status_code == 403
    assert not Membership.objects.filter(user=other_user).exists()


def _organizer_actions(
    c: Challenge, community_id: int, contribution_id: int, participant_id: int
) -> list[tuple[str, str, dict[str, object] | None]]:
    base = f"/api/v1/challenges/{c.pk}"
    return [
        ("post", "/api/v1/challenges/", CHALLENGE | {"community_id": community_id}),
        ("get", f"/api/v1/communities/{community_id}/invite/", None),
        ("post", f"/api/v1/communities/{community_id}/members/{participant_id}/approve/", None),
        ("put", f"/api/v1/communities/{community_id}/members/{participant_id}/role/", {"role": "organizer"}),
        ("post", f"{base}/teams/", {"name": "Herons"}),
        ("get", f"{base}/pending/", None),
        ("post", f"{base}/pending/{contribution_id}/accept/", None),
        ("post", f"{base}/pending/{contribution_id}/reject/", None),
        ("post", f"{base}/participants/{participant_id}/remove/", None),
        ("get", f"{base}/results.csv", None),
        ("post", f"{base}/announce/", {"message": "Hello"}),
    ]  # fmt: skip


PrivateSetup = tuple[Community, Challenge, Contribution, Participant]


@pytest.fixture
def private_setup(user: User, consenting_user: User) -> PrivateSetup:
    """A private community run by ``user``, with ``consenting_user`` as a plain member whose
    flagged workout waits in a team challenge."""
    club = CommunityFactory.create(user=user, visibility="private", join_policy="invitation")
    services.community_join(
        user=consenting_user, community_id=club.pk, invite_code=club.invite_code
    )
    c = ChallengeFactory.create(user=user, community_id=club.pk, mode="team", teams=["Otters"])
    participant = services.challenge_join(
        user=consenting_user, challenge_id=c.pk, team_id=Team.objects.get().pk
    )
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, counts_for_leaderboards=False)]
    )
    return club, c, Contribution.objects.get(), participant


def test_organizer_actions_are_forbidden_to_members(
    client_for: ClientFor, consenting_user: User, private_setup: PrivateSetup
) -> None:
    club, c, contribution, participant = private_setup
    client = client_for(consenting_user)

    for method, url, body in _organizer_actions(c, club.pk, contribution.pk, participant.pk):
        response = getattr(client, method)(url, body)
        assert (url, response.status_code) == (url, 403)
        assert response.json()["error"]["code"] == "forbidden"

    assert Challenge.objects.count() == 1
    assert Team.objects.count() == 1
    assert Contribution.objects.get().status == "pending"
    assert Participant.objects.get().status == "active"
    assert Membership.objects.get(user=consenting_user).role == "member"


def test_organizer_actions_are_not_found_for_outsiders_of_a_private_community(
    client_for: ClientFor, private_setup: PrivateSetup
) -> None:
    club, c, contribution, participant = private_setup
    client = client_for(UserFactory.create())

    for method, url, body in _organizer_actions(c, club.pk, contribution.pk, participant.pk):
        response = getattr(client, method)(url, body)
        assert (url, response.status_code) == (url, 404)

    assert client.get(f"/api/v1/challenges/{c.pk}/").status_code == 404
    assert client.get(f"/api/v1/challenges/{c.pk}/leaderboard/").status_code == 404
    assert client.post(f"/api/v1/challenges/{c.pk}/join/", {}).status_code == 404
    assert Challenge.objects.count() == 1
    assert Contribution.objects.get().status == "pending"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_results_csv_neutralises_formulas_in_names_and_teams(
    client_for: ClientFor,
    user: User,
    consenting_user: User,
    private_setup: PrivateSetup,
    start: str,
) -> None:
    _, c, _, _ = private_setup
    Team.objects.update(name=f'{start}HYPERLINK("https://evil.example","x")')
    consenting_user.profile.display_name = f"{start}1+1"
    consenting_user.profile.save()

    body = client_for(user).get(f"/api/v1/challenges/{c.pk}/results.csv").content.decode()

    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1:3] == [f"'{start}1+1", f'\'{start}HYPERLINK("https://evil.example","x")']
    assert not any(cell.startswith(start) for cell in rows[1])


def test_organizer_tools_work_for_the_organizer(
    client_for: ClientFor, user: User, consenting_user: User, private_setup: PrivateSetup
) -> None:
    _, c, contribution, participant = private_setup
    client = client_for(user)
    base = f"/api/v1/challenges/{c.pk}"

    pending = client.get(f"{base}/pending/").json()["results"]
    accepted = client.post(f"{base}/pending/{contribution.pk}/accept/")
    csv_body = client.get(f"{base}/results.csv").content.decode()
    announced = client.post(f"{base}/announce/", {"message": "Well done, all!"}).json()
    removed = client.post(f"{base}/participants/{participant.pk}/remove/")

    assert [p["workout_id"] for p in pending] == [contribution.workout_id]
    assert accepted.status_code == 204
    name = consenting_user.profile.display_name
    assert csv_body.splitlines() == [
        "rank,name,team,progress_km,completed_at,status",
        f"1,{name},Otters,5.0,,active",
    ]
    assert announced == {"recipients": 1}
    assert removed.status_code == 204
    assert Participant.objects.get().status == "removed"
    assert Team.objects.get().progress == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2026-10-31"}, "ends_on"),
        ({"goal_type": "marathons"}, "goal_type"),
        ({"target": -5}, "target"),
        ({"goal_params": {"laps": 2}}, "goal_params"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"sports": ["skydiving"]}, "sports"),
        ({"mode": "team"}, "teams"),
        ({"starts_on": "not a date"}, "starts_on"),
    ],
)
def test_bad_challenge_input_is_a_clear_400_and_stores_nothing(
    client_for: ClientFor, user: User, change: dict[str, object], field: str
) -> None:
    response = client_for(user).post("/api/v1/challenges/", CHALLENGE | change)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not Challenge.objects.exists()
    assert not Team.objects.exists()


def test_joining_twice_is_a_409_and_changes_nothing(
    client_for: ClientFor, user: User, consenting_user: User
) -> None:
    c = ChallengeFactory.create(user=user)
    client = client_for(consenting_user)
    first = client.post(f"/api/v1/challenges/{c.pk}/join/", {})
    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])

    second = client.post(f"/api/v1/challenges/{c.pk}/join/", {})

    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["error"]["code"] == "conflict"
    assert list(Participant.objects.values_list("status", "progress")) == [("active", 5000)]


def test_joining_a_community_twice_is_a_409(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    club = CommunityFactory.create(user=user)
    client = client_for(other_user)
    client.post(f"/api/v1/communities/{club.pk}/join/")

    response = client.post(f"/api/v1/communities/{club.pk}/join/")

    assert response.status_code == 409
    assert Membership.objects.filter(community=club).count() == 2


def test_community_challenges_need_membership(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    club = CommunityFactory.create(user=user)
    c = ChallengeFactory.create(user=user, community_id=club.pk)

    response = client_for(other_user).post(f"/api/v1/challenges/{c.pk}/join/", {})

    assert response.status_code == 403
    assert not Participant.objects.exists()


def test_team_challenge_join_needs_one_of_its_teams(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    c = ChallengeFactory.create(user=user, mode="team", teams=["Otters"])
    other = ChallengeFactory.create(user=user, mode="team", teams=["Herons"])
    foreign_team = Team.objects.get(challenge=other)

    response = client_for(other_user).post(
        f"/api/v1/challenges/{c.pk}/join/", {"team_id": foreign_team.pk}
    )

    assert response.status_code == 400
    assert "team_id" in response.json()["error"]["fields"]
    assert not Participant.objects.exists()


def test_age_group_opt_in_needs_a_birth_year(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    c = ChallengeFactory.create(user=user)

    response = client_for(other_user).post(
        f"/api/v1/challenges/{c.pk}/join/", {"share_age_group": True}
    )

    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_owner_cannot_leave_and_members_can(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    club = CommunityFactory.create(user=user)
    services.community_join(user=other_user, community_id=club.pk)

    owner_leaves = client_for(user).post(f"/api/v1/communities/{club.pk}/leave/")
    member_leaves = client_for(other_user).post(f"/api/v1/communities/{club.pk}/leave/")

    assert (owner_leaves.status_code, member_leaves.status_code) == (400, 204)
    assert Membership.objects.get(user=other_user).status == "left"
    assert Community.objects.count() == 1


def test_badges_and_streaks_are_the_callers_own(
    client_for: ClientFor, consenting_user: User, other_user: User
) -> None:
    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])

    mine = client_for(consenting_user).get("/api/v1/badges/").json()["results"]
    theirs = client_for(other_user).get("/api/v1/badges/").json()["results"]
    streaks = client_for(other_user).get("/api/v1/streaks/").json()["results"]

    assert [(b["badge"], b["tier"]) for b in mine] == [("first_workout", 1)]
    assert theirs == []
    assert streaks == [
        {"kind": "daily", "current": 0, "longest": 0},
        {"kind": "weekly", "current": 0, "longest": 0},
        {"kind": "yoga_daily", "current": 0, "longest": 0},
    ]


def test_goal_types_list_every_registered_goal_with_its_unit_and_parameters(
    client_for: ClientFor, user: User
) -> None:
    response = client_for(user).get("/api/v1/challenges/goal-types/")

    assert response.status_code == 200
    types = {t["code"]: t for t in response.json()["results"]}
    assert sorted(types) == sorted(goal_types())
    assert types["distance"] == {
        "code": "distance",
        "title": "Distance",
        "unit": "km",
        "once_per_day": False,
        "params": [],
    }
    assert types["streak_days"]["params"] == [
        {
            "name": "min_active_minutes",
            "label": "Active minutes that make a day count",
            "default": 10.0,
            "minimum": 0,
        }
    ]


def test_goal_types_need_a_signed_in_person(api_client: APIClient) -> None:
    assert api_client.get("/api/v1/challenges/goal-types/").status_code in (401, 403)


def test_an_organizer_reviewing_pending_contributions_is_in_the_members_access_log(
    client_for: ClientFor, user: User, consenting_user: User, private_setup: PrivateSetup
) -> None:
    _, c, contribution, _ = private_setup

    listed = client_for(user).get(f"/api/v1/challenges/{c.pk}/pending/")
    log = client_for(consenting_user).get("/api/v1/me/access-log/").json()["results"]

    assert listed.json()["results"][0]["id"] == contribution.pk
    assert [(e["accessor"], e["accessor_role"]) for e in log] == [
        (user.profile.display_name, "organizer")
    ]
    assert log[0]["what"] == f"workout {contribution.workout_id} (amount and plausibility flags)"
    assert log[0]["why"] == f"reviewing flagged contributions to challenge {c.pk}"
    assert client_for(user).get("/api/v1/me/access-log/").json()["count"] == 0


def test_a_refused_pending_review_reads_nothing_and_logs_nothing(
    client_for: ClientFor, consenting_user: User, private_setup: PrivateSetup
) -> None:
    _, c, _, _ = private_setup
    member_view = client_for(consenting_user).get(f"/api/v1/challenges/{c.pk}/pending/")

    assert member_view.status_code == 403
    assert client_for(consenting_user).get("/api/v1/me/access-log/").json()["count"] == 0


def test_a_non_member_sees_active_members_by_public_name_only(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    club = CommunityFactory.create(user=user, join_policy="approval")
    services.community_join(user=other_user, community_id=club.pk)
    stranger = UserFactory.create()

    seen = client_for(stranger).get(f"/api/v1/communities/{club.pk}/members/").json()
    run = client_for(user).get(f"/api/v1/communities/{club.pk}/members/").json()

    assert [set(m) for m in seen["results"]] == [{"name", "role", "joined_at"}]
    assert seen["results"][0]["name"] == user.profile.display_name
    assert "user_id" not in str(seen)
    assert {(m["user_id"], m["status"]) for m in run["results"]} == {
        (user.pk, "active"),
        (other_user.pk, "pending"),
    }


def test_former_members_are_not_listed_to_members(
    client_for: ClientFor, user: User, other_user: User, consenting_user: User
) -> None:
    club = CommunityFactory.create(user=user)
    services.community_join(user=other_user, community_id=club.pk)
    services.community_join(user=consenting_user, community_id=club.pk)
    client_for(other_user).post(f"/api/v1/communities/{club.pk}/leave/")

    seen = client_for(consenting_user).get(f"/api/v1/communities/{club.pk}/members/").json()

    assert sorted(m["name"] for m in seen["results"]) == sorted(
        [user.profile.display_name, consenting_user.profile.display_name]
    )
