"""Scoring with a real Celery worker on PostgreSQL + Redis, including a worker killed mid-chunk."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from challenges.models import ActivityTotals, AppliedWorkout
from tests.factories import UserFactory
from tests.servers import CeleryWorker, asgi_server_start, asgi_server_stop
from wellness.people.models import User
from wellness.people.services import profile_update
from wellness.scoring.models import Progress, ScoringPending, StoredScore
from wellness.scoring.pipeline import workouts_score
from wellness.scoring.tasks import DRAIN_QUEUED_KEY
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_create_with_samples

pytestmark = pytest.mark.integration

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
WORKOUTS = 6
CHUNK = 2


def _athlete() -> User:
    user = UserFactory.create(consented=True)
    profile_update(
        user=user,
        changes={"birth_year": 1985, "sex": "male", "weight_kg": 75, "resting_heart_rate": 55},
    )
    return user


def _import(user: User, minutes: int, hr: float) -> Workout:
    t0 = START.timestamp()
    samples = [
        {"t": t0 + i, "hr": hr + i % 20, "speed": 3.0, "distance": 3.0 * i}
        for i in range(minutes * 60)
    ]
    return workout_create_with_samples(
        user=user,
        sport="run",
        indoor=False,
        source="file",
        started_at=START,
        ended_at=START + dt.timedelta(minutes=minutes),
        samples=samples,
    )


def _wait_for(condition: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_finished_workouts_are_scored_by_the_worker_once(
    celery_worker: CeleryWorker,
) -> None:
    user = _athlete()
    workouts = [_import(user, 20, 120.0 + 5 * i) for i in range(3)]

    _wait_for(
        lambda: StoredScore.objects.count() == 3 and not ScoringPending.objects.exists(),
        timeout=60,
        what="the worker to score three workouts",
    )

    points = sum(StoredScore.objects.values_list("points", flat=True))
    assert points > 0
    assert Progress.objects.get(user=user).xp == points
    assert sorted(AppliedWorkout.objects.values_list("workout_id", flat=True)) == sorted(
        w.pk for w in workouts
    )


def _state(users: list[User]) -> dict[str, Any]:
    return {
        "scores": {
            s.workout_id: (s.status, s.points, s.metrics, s.flags, s.counts_for_leaderboards)
            for s in StoredScore.objects.order_by("workout_id")
        },
        "xp": {u.pk: Progress.objects.get(user=u).xp for u in users},
        "applied": sorted(AppliedWorkout.objects.values_list("workout_id", flat=True)),
        "totals_workouts": {u.pk: ActivityTotals.objects.get(user=u).workouts for u in users},
        "pending": ScoringPending.objects.count(),
    }


def _backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.usefixtures("transactional_db", "_redis_flushed")
def test_a_worker_killed_mid_scoring_then_restarted_ends_as_one_clean_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given finished workouts queued before any worker runs (the first chunk of two is the first
    # athlete's, the rest the second's), a worker that scores two a chunk and gets unacknowledged
    # tasks back 2 s after losing them, and the second athlete's progress row locked by the test,
    # so the worker commits the first chunk and then waits inside the second
    first, second = _athlete(), _athlete()
    workouts = [_import(first, 15, 110.0 + 7 * i) for i in range(CHUNK)]
    workouts += [_import(second, 15, 124.0 + 7 * i) for i in range(WORKOUTS - CHUNK)]
    assert ScoringPending.objects.count() == WORKOUTS
    Progress.objects.get_or_create(user=second)
    monkeypatch.setenv("WELLVERSE_SCORING_CHUNK", str(CHUNK))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "2")
    worker = CeleryWorker(tmp_path / "celery.log")
    try:
        with transaction.atomic():
            list(Progress.objects.select_for_update().filter(user=second))
            worker.start()
            _wait_for(
                lambda: (
                    ScoringPending.objects.count() == WORKOUTS - CHUNK
                    and _backends_waiting_for_a_lock() > 0
                ),
                timeout=60,
                what="the first chunk to commit and the second to wait for the lock",
            )
            # When it is killed with SIGKILL in the middle of its second chunk
            worker.kill()
            killed_with_pending = ScoringPending.objects.count()
            scored_when_killed = StoredScore.objects.count()
        # and then restarted
        worker.start()
        _wait_for(
            lambda: not ScoringPending.objects.exists(),
            timeout=90,
            what="the redelivered task to finish scoring",
        )
    finally:
        worker.stop()

    # Then the kill left the second chunk wholly undone, and the end state is that of one clean run
    assert (killed_with_pending, scored_when_killed) == (WORKOUTS - CHUNK, CHUNK)
    after_crash = _state([first, second])
    workouts_score(workout_ids=[w.pk for w in workouts])  # a clean run, in process
    assert _state([first, second]) == after_crash
    points = {pk: score[1] for pk, score in after_crash["scores"].items()}
    for user in (first, second):
        own = [w.pk for w in workouts if w.user_id == user.pk]
        assert after_crash["xp"][user.pk] == sum(points[pk] for pk in own)
        assert after_crash["totals_workouts"][user.pk] == len(own)
    assert after_crash["applied"] == sorted(w.pk for w in workouts)
    assert set(after_crash["scores"]) == {w.pk for w in workouts}


@pytest.mark.usefixtures("transactional_db", "_redis_flushed")
def test_a_workout_whose_drain_task_was_lost_is_scored_within_the_recovery_period(
    tmp_path: Path,
) -> None:
    from wellness.config.celery import app

    # Given a workout finished while no worker ran, and its queued drain task then lost
    workout = _import(_athlete(), 10, 130.0)
    assert app.control.purge() == 1
    assert ScoringPending.objects.filter(workout=workout).exists()
    assert cache.get(DRAIN_QUEUED_KEY) == 1  # the lost task still blocks an ordinary re-queue
    # When a worker and the server run, and nothing else is finished
    worker = CeleryWorker(tmp_path / "celery.log")
    worker.start()
    server = asgi_server_start(tmp_path / "uvicorn.log", WELLVERSE_SCORING_RECOVERY_SECONDS="2")
    try:
        # Then the server's recovery check queues the drain again and the workout is scored once
        _wait_for(
            lambda: not ScoringPending.objects.exists(),
            timeout=20,
            what="the recovery check to queue the drain and the worker to score the workout",
        )
    finally:
        asgi_server_stop(server)
        worker.stop()
    assert StoredScore.objects.filter(workout=workout).count() == 1
