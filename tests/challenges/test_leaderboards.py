"""Leaderboards on the database path (no Redis): ranks, ties, neighbours, filters, privacy."""

from __future__ import annotations

import datetime as dt

import pytest

from challenges import services
from challenges.models import Team
from tests.challenges.factories import ChallengeFactory, ScoredWorkoutFactory
from tests.factories import UserFactory
from tests.helpers import ClientFor
from wellness.people.models import Profile, User

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 11, 10, 7, tzinfo=dt.UTC)


def _runners(
    organizer: User, distances: list[int], **challenge_kwargs: object
) -> tuple[int, list[User]]:
    c = ChallengeFactory.create(user=organizer, **challenge_kwargs)
    people = []
    for distance in distances:
        person = UserFactory.create(consented=True)
        services.challenge_join(user=person, challenge_id=c.pk)
        if distance:
            services.workouts_scored_apply(
                scored=[ScoredWorkoutFactory.build(user=person, distance_m=distance)]
            )
        people.append(person)
    return c.pk, people


def test_top_lists_best_first_and_the_caller_sees_their_neighbours(
    client_for: ClientFor, user: User
) -> None:
    challenge_id, people = _runners(user, [1000 * (i + 1) for i in range(10)])

    board = (
        client_for(people[4])
        .get(f"/api/v1/challenges/{challenge_id}/leaderboard/?top=3&neighbours=1")
        .json()
    )

    assert [e["progress"] for e in board["top"]] == [10.0, 9.0, 8.0]
    assert [e["rank"] for e in board["top"]] == [1, 2, 3]
    assert board["my_rank"] == 6
    assert [(e["rank"], e["progress"], e["is_me"]) for e in board["around_me"]] == [
        (5, 6.0, False),
        (6, 5.0, True),
        (7, 4.0, False),
    ]
    assert board["unit"] == "km"


def test_equal_progress_ranks_the_earlier_finisher_first(client_for: ClientFor, user: User) -> None:
    c = ChallengeFactory.create(user=user)
    early, late = UserFactory.create(consented=True), UserFactory.create(consented=True)
    for person, started in ((late, DAY + dt.timedelta(days=2)), (early, DAY)):
        services.challenge_join(user=person, challenge_id=c.pk)
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=person, started_at=started)]
        )

    top = client_for(user).get(f"/api/v1/challenges/{c.pk}/leaderboard/").json()["top"]

    assert [(e["rank"], e["name"]) for e in top] == [
        (1, early.profile.display_name),
        (2, late.profile.display_name),
    ]


def test_equal_progress_in_the_same_minute_shares_a_rank(client_for: ClientFor, user: User) -> None:
    challenge_id, people = _runners(user, [7000, 5000, 5000, 3000])

    board = client_for(people[3]).get(f"/api/v1/challenges/{challenge_id}/leaderboard/").json()

    assert [e["rank"] for e in board["top"]] == [1, 2, 2, 4]
    assert board["my_rank"] == 4


def test_private_athletes_appear_only_under_their_pseudonym(
    client_for: ClientFor, user: User
) -> None:
    challenge_id, people = _runners(user, [3000, 2000])
    Profile.objects.filter(user=people[0]).update(
        visibility="private", pseudonym="Night Heron", display_name="Ada Lovelace"
    )

    response = client_for(people[1]).get(f"/api/v1/challenges/{challenge_id}/leaderboard/")

    text = response.content.decode()
    assert response.json()["top"][0]["name"] == "Night Heron"
    assert "Ada Lovelace" not in text
    assert people[0].email not in text
    assert str(people[0].pk) not in [str(e.get("user_id")) for e in response.json()["top"]]
    assert set(response.json()["top"][0]) == {"rank", "participant_id", "name", "progress", "is_me"}


def test_team_filter_and_team_board(client_for: ClientFor, user: User) -> None:
    c = ChallengeFactory.create(user=user, mode="team", teams=["Otters", "Herons"])
    otters, herons = Team.objects.get(name="Otters"), Team.objects.get(name="Herons")
    for team, distance in ((otters, 4000), (herons, 3000), (otters, 2000)):
        person = UserFactory.create(consented=True)
        services.challenge_join(user=person, challenge_id=c.pk, team_id=team.pk)
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=person, distance_m=distance)]
        )
    client = client_for(user)

    in_herons = client.get(f"/api/v1/challenges/{c.pk}/leaderboard/?team_id={herons.pk}").json()
    teams = client.get(f"/api/v1/challenges/{c.pk}/leaderboard/teams/").json()["results"]

    assert [e["progress"] for e in in_herons["top"]] == [3.0]
    assert [(t["rank"], t["name"], t["progress"]) for t in teams] == [
        (1, "Otters", 6.0),
        (2, "Herons", 3.0),
    ]


def test_age_group_filter_lists_only_those_who_opted_in(client_for: ClientFor, user: User) -> None:
    c = ChallengeFactory.create(user=user)
    born = dt.datetime.now(tz=dt.UTC).year - 35
    shared = UserFactory.create(consented=True, profile__birth_year=born)
    unshared = UserFactory.create(consented=True, profile__birth_year=born)
    services.challenge_join(user=shared, challenge_id=c.pk, share_age_group=True)
    services.challenge_join(user=unshared, challenge_id=c.pk)
    group = shared.participations.get().age_group

    board = (
        client_for(user).get(f"/api/v1/challenges/{c.pk}/leaderboard/", {"age_group": group}).json()
    )

    assert group == "30-39"
    assert [e["participant_id"] for e in board["top"]] == [shared.participations.get().pk]


def test_people_who_left_are_not_on_the_board(client_for: ClientFor, user: User) -> None:
    challenge_id, people = _runners(user, [3000, 2000])
    services.challenge_leave(user=people[0], challenge_id=challenge_id)

    board = client_for(people[1]).get(f"/api/v1/challenges/{challenge_id}/leaderboard/").json()

    assert [(e["rank"], e["is_me"]) for e in board["top"]] == [(1, True)]


def test_bad_leaderboard_query_is_a_400(client_for: ClientFor, user: User) -> None:
    c = ChallengeFactory.create(user=user)

    response = client_for(user).get(f"/api/v1/challenges/{c.pk}/leaderboard/?top=0")

    assert response.status_code == 400
    assert "top" in response.json()["error"]["fields"]
