"""Challenges on PostgreSQL and Redis: no lost increments under concurrency, Redis equals the record."""

from __future__ import annotations

import threading
from typing import cast

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings

from challenges import leaderboards, services
from challenges.models import Contribution, Participant, Team
from tests.challenges.factories import ChallengeFactory, ScoredWorkoutFactory
from tests.factories import UserFactory
from wellness.scoring.handoff import ScoredWorkout

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("_redis_flushed")]

THREADS = 8
WORKOUTS_PER_THREAD = 5


def _redis_board(key: str) -> list[tuple[int, int]]:
    raw = leaderboards.client().zrevrange(key, 0, -1, withscores=True)
    rows = cast(list[tuple[bytes, float]], raw)
    return [(int(member), int(score)) for member, score in rows]


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_for_one_participant_never_lose_an_increment() -> None:
    organizer = UserFactory.create()
    runner, teammate = UserFactory.create(consented=True), UserFactory.create(consented=True)
    c = ChallengeFactory.create(user=organizer, mode="team", teams=["Otters"])
    team = Team.objects.get()
    services.challenge_join(user=runner, challenge_id=c.pk, team_id=team.pk)
    services.challenge_join(user=teammate, challenge_id=c.pk, team_id=team.pk)
    workouts = [
        ScoredWorkoutFactory.build(user=runner if i % 2 else teammate, distance_m=1000 + i)
        for i in range(THREADS * WORKOUTS_PER_THREAD)
    ]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(chunk: list[ScoredWorkout]) -> None:
        try:
            barrier.wait()
            for workout in chunk:
                services.workouts_scored_apply(scored=[workout])
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(workouts[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected_runner = sum(round(w.distance_m) for w in workouts if w.user_id == runner.pk)
    expected_team = sum(round(w.distance_m) for w in workouts)
    assert Participant.objects.get(user=runner).progress == expected_runner
    assert Team.objects.get().progress == expected_team
    assert Contribution.objects.count() == len(workouts)
    stored = dict(Participant.objects.values_list("pk", "score"))
    assert dict(_redis_board(leaderboards.key_all(c.pk))) == stored


@pytest.mark.django_db(transaction=True)
def test_leaderboards_rebuilt_from_the_database_equal_the_live_redis_ones() -> None:
    organizer = UserFactory.create()
    c = ChallengeFactory.create(user=organizer, mode="team", teams=["Otters", "Herons"])
    teams = list(Team.objects.order_by("pk"))
    for i in range(12):
        person = UserFactory.create(consented=True, profile__birth_year=1960 + 3 * i)
        services.challenge_join(
            user=person, challenge_id=c.pk, team_id=teams[i % 2].pk, share_age_group=i % 3 == 0
        )
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=person, distance_m=1000 * (i % 5))]
        )
    leaver = Participant.objects.order_by("pk").first()
    assert leaver is not None
    services.challenge_leave(user=leaver.user, challenge_id=c.pk)
    keys = sorted(
        k.decode()
        for k in leaderboards.client().scan_iter(match=f"{leaderboards.prefix()}:{c.pk}:*")
    )
    live = {key: _redis_board(key) for key in keys}

    leaderboards.client().delete(*keys)
    call_command("rebuild_leaderboards", str(c.pk))

    rebuilt_keys = sorted(
        k.decode()
        for k in leaderboards.client().scan_iter(match=f"{leaderboards.prefix()}:{c.pk}:*")
    )
    assert rebuilt_keys == keys
    assert {key: _redis_board(key) for key in keys} == live
    assert len(live[leaderboards.key_all(c.pk)]) == 11
    assert len(live[leaderboards.key_teams(c.pk)]) == 2


@pytest.mark.django_db(transaction=True)
def test_redis_leaderboard_reads_match_the_database_path(settings: Settings) -> None:
    organizer = UserFactory.create()
    c = ChallengeFactory.create(user=organizer)
    people = []
    for distance in (7000, 5000, 5000, 3000, 1000, 0):
        person = UserFactory.create(consented=True)
        services.challenge_join(user=person, challenge_id=c.pk)
        if distance:
            services.workouts_scored_apply(
                scored=[ScoredWorkoutFactory.build(user=person, distance_m=distance)]
            )
        people.append(person)
    from challenges.selectors import leaderboard

    from_redis = leaderboard(user=people[3], challenge_id=c.pk, top=3, neighbours=2)
    settings.REDIS_URL = ""
    from_database = leaderboard(user=people[3], challenge_id=c.pk, top=3, neighbours=2)

    assert from_redis == from_database
    assert [e.rank for e in from_redis.top] == [1, 2, 2]
    assert [e.rank for e in from_redis.around_me] == [2, 2, 4, 5, 6]
