"""A workout without samples never tops a leaderboard unless accepted, and acceptance is one
challenge's decision, made by an organizer other than its owner (issue 19, points 1 and 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from challenges.models import Contribution, ContributionStatus
from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.scoring.helpers import START, import_workout, steady_run
from wellness.people.models import User
from wellness.people.selectors import public_name
from wellness.scoring.models import BestEffort, StoredScore
from wellness.scoring.pipeline import workouts_score

pytestmark = pytest.mark.django_db


def _challenge(client: Any, title: str) -> int:
    response = client.post(
        "/api/v1/challenges/",
        {
            "title": title,
            "starts_on": START.date().isoformat(),
            "ends_on": (timezone.now() + dt.timedelta(days=2)).date().isoformat(),
            "goal_type": "active_minutes",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _manual_entry(client: Any, minutes: int) -> int:
    """A workout entered by hand: a start and an end, nothing recorded in between."""
    start = timezone.now() - dt.timedelta(minutes=minutes + 5)
    started = client.post(
        "/api/v1/workouts/",
        {"sport": "other", "indoor": False, "started_at": start.isoformat()},
        format="json",
    ).json()
    finished = client.post(
        f"/api/v1/workouts/{started['id']}/finish/",
        {"ended_at": (start + dt.timedelta(minutes=minutes)).isoformat()},
        format="json",
    )
    assert finished.status_code == 200, finished.content
    return int(started["id"])


def _board(client: Any, challenge_id: int) -> list[tuple[str, float]]:
    body = client.get(f"/api/v1/challenges/{challenge_id}/leaderboard/").json()
    return [(entry["name"], round(entry["progress"])) for entry in body["top"]]


def _name(person: User) -> str:
    return public_name(person.profile)


@pytest.fixture
def rival(db: None) -> User:
    """A participant who records a 30-minute run: 30 active minutes."""
    return UserFactory.create(consented=True)


@pytest.fixture
def entrant(db: None) -> User:
    """A participant who enters an hour by hand."""
    return UserFactory.create(consented=True)


def test_a_workout_without_samples_is_flagged_and_tops_no_board_until_accepted(
    client_for: ClientFor,
    user: User,
    rival: User,
    entrant: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    challenge_id = _challenge(client_for(user), "Active December")
    for person in (entrant, rival):
        client_for(person).post(f"/api/v1/challenges/{challenge_id}/join/")
    with django_capture_on_commit_callbacks(execute=True):
        import_workout(rival, steady_run())
        workout_id = _manual_entry(client_for(entrant), minutes=60)

    score = client_for(entrant).get(f"/api/v1/workouts/{workout_id}/score/").json()
    board = _board(client_for(user), challenge_id)
    pending = client_for(user).get(f"/api/v1/challenges/{challenge_id}/pending/").json()

    assert [flag["code"] for flag in score["flags"]] == ["no_samples"]
    assert score["counts_for_leaderboards"] is False
    assert score["points"] == 180  # "other" is 4 MET: 60 minutes of 3 MET-minutes above rest
    assert board[0] == (_name(rival), 30)
    assert (_name(entrant), 0) in board
    assert [(p["workout_id"], p["flags"]) for p in pending["results"]] == [
        (workout_id, ["no_samples"])
    ]

    accepted = client_for(user).post(
        f"/api/v1/challenges/{challenge_id}/pending/{pending['results'][0]['id']}/accept/"
    )

    assert accepted.status_code == 204
    assert _board(client_for(user), challenge_id)[0] == (_name(entrant), 60)
    contribution = Contribution.objects.get(workout_id=workout_id)
    assert (contribution.status, contribution.reviewed_by) == (ContributionStatus.COUNTED, user)
    assert contribution.reviewed_at is not None


def test_accepting_in_one_challenge_counts_there_only(
    client_for: ClientFor,
    user: User,
    rival: User,
    entrant: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other_organizer = UserFactory.create()
    first = _challenge(client_for(user), "Active December")
    second = _challenge(client_for(other_organizer), "Winter minutes")
    for person in (entrant, rival):
        for challenge_id in (first, second):
            client_for(person).post(f"/api/v1/challenges/{challenge_id}/join/")
    with django_capture_on_commit_callbacks(execute=True):
        import_workout(rival, steady_run())
        workout_id = _manual_entry(client_for(entrant), minutes=60)
    in_first = Contribution.objects.get(workout_id=workout_id, participant__challenge_id=first)
    in_second = Contribution.objects.get(workout_id=workout_id, participant__challenge_id=second)

    # the other challenge's organizer cannot decide for the first
    refused = client_for(other_organizer).post(
        f"/api/v1/challenges/{first}/pending/{in_first.pk}/accept/"
    )
    crossed = client_for(other_organizer).post(
        f"/api/v1/challenges/{second}/pending/{in_first.pk}/accept/"
    )
    accepted = client_for(user).post(f"/api/v1/challenges/{first}/pending/{in_first.pk}/accept/")

    assert (refused.status_code, crossed.status_code, accepted.status_code) == (403, 404, 204)
    assert _board(client_for(user), first)[0] == (_name(entrant), 60)
    assert _board(client_for(other_organizer), second)[0] == (_name(rival), 30)
    in_second.refresh_from_db()
    assert (in_second.status, in_second.reviewed_by) == (ContributionStatus.PENDING, None)
    # nor globally: the score stays flagged and sets no record
    score = client_for(entrant).get(f"/api/v1/workouts/{workout_id}/score/").json()
    assert score["counts_for_leaderboards"] is False
    assert StoredScore.objects.get(workout_id=workout_id).counts_for_leaderboards is False
    assert not BestEffort.objects.filter(workout_id=workout_id).exists()
    pending_second = client_for(other_organizer).get(f"/api/v1/challenges/{second}/pending/")
    assert [p["id"] for p in pending_second.json()["results"]] == [in_second.pk]


def test_an_accepted_contribution_stays_counted_when_the_workout_is_scored_again(
    client_for: ClientFor, user: User, django_capture_on_commit_callbacks: Any
) -> None:
    entrant = UserFactory.create(consented=True)
    challenge_id = _challenge(client_for(user), "Active December")
    client_for(entrant).post(f"/api/v1/challenges/{challenge_id}/join/")
    with django_capture_on_commit_callbacks(execute=True):
        workout_id = _manual_entry(client_for(entrant), minutes=45)
    contribution = Contribution.objects.get(workout_id=workout_id)
    client_for(user).post(f"/api/v1/challenges/{challenge_id}/pending/{contribution.pk}/accept/")

    with django_capture_on_commit_callbacks(execute=True):
        workouts_score(workout_ids=[workout_id])

    contribution.refresh_from_db()
    assert (contribution.status, contribution.reviewed_by) == (ContributionStatus.COUNTED, user)
    board = client_for(entrant).get(f"/api/v1/challenges/{challenge_id}/leaderboard/").json()
    assert board["top"][0]["progress"] == 45.0
