"""Scores stored on PostgreSQL (one server-bound upsert per chunk) hold exactly what Django's
``bulk_create`` of the same rows holds, and re-scoring there keeps a challenge's acceptance and
awards no XP twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from challenges.models import Contribution, ContributionStatus
from challenges.services import challenge_create, challenge_join, contribution_review
from tests.factories import UserFactory, WorkoutFactory
from tests.wellness.scoring.helpers import START, import_workout, steady_run
from wellness.people.models import User
from wellness.people.services import profile_update
from wellness.scoring import queue
from wellness.scoring.models import Progress, ScoreStatus, StoredScore
from wellness.scoring.pipeline import workouts_score

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_drain_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests score in-process: importing a workout queues no task for a worker."""
    monkeypatch.setattr(queue, "scoring_drain_schedule", lambda: None)


COLUMNS = (
    "workout_id", "status", "metrics", "flags", "points", "training_load",
    "counts_for_leaderboards", "reason", "reason_code", "scored_at",
)  # fmt: skip


def _stored(ids: list[int]) -> list[tuple[Any, ...]]:
    return list(StoredScore.objects.filter(workout_id__in=ids).order_by("pk").values_list(*COLUMNS))


def _workouts(person: User) -> list[int]:
    profile_update(
        user=person,
        changes={"birth_year": 1988, "sex": "female", "weight_kg": 62, "resting_heart_rate": 52},
    )
    plain = import_workout(person, steady_run())
    flagged = import_workout(person, steady_run(speed=20.0))  # no runner holds 72 km/h
    unscorable = WorkoutFactory.create(
        user=person, sport="swim", status="finished", ended_at=START + dt.timedelta(minutes=30)
    )
    return [plain.pk, flagged.pk, unscorable.pk]


def test_on_postgresql_stored_scores_equal_what_the_orm_stores_for_the_same_rows() -> None:
    person = UserFactory.create(consented=True)
    ids = _workouts(person)

    rows = workouts_score(workout_ids=ids)
    upserted = _stored(ids)
    StoredScore.objects.filter(workout_id__in=ids).delete()
    StoredScore.objects.bulk_create(rows)

    assert upserted == _stored(ids)
    statuses = [row[1] for row in upserted]
    assert statuses == [ScoreStatus.SCORED, ScoreStatus.SCORED, ScoreStatus.UNSCORABLE]
    assert upserted[0][2]["distance_m"] == pytest.approx(5397.0)
    assert upserted[1][3] != []  # flagged:
    assert upserted[1][6] is False  # it counts for no leaderboard
    assert (upserted[2][7], upserted[2][8]) == (
        "Unknown sport 'swim'; one of run, ride, walk, yoga, other, rehab.",
        "sport",
    )


def test_on_postgresql_rescoring_keeps_a_challenges_acceptance_and_awards_no_xp_twice() -> None:
    person, organizer = UserFactory.create(consented=True), UserFactory.create()
    challenge = challenge_create(
        user=organizer,
        title="November kilometres",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    challenge_join(user=person, challenge_id=challenge.pk)
    ids = _workouts(person)
    workouts_score(workout_ids=ids)
    flagged = Contribution.objects.get(workout_id=ids[1])
    contribution_review(
        user=organizer, challenge_id=challenge.pk, contribution_id=flagged.pk, accept=True
    )
    first = _stored(ids)
    xp_once = Progress.objects.get(user=person).xp

    workouts_score(workout_ids=ids)

    again = _stored(ids)
    assert [row[:-1] for row in again] == [row[:-1] for row in first]  # all but scored_at
    flagged.refresh_from_db()
    assert (flagged.status, flagged.reviewed_by) == (ContributionStatus.COUNTED, organizer)
    assert Progress.objects.get(user=person).xp == xp_once == first[0][4] + first[1][4]
