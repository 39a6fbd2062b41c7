"""Scoring end to end: PostgreSQL + Redis + one real Celery worker process, batched vs one task each.

Every workout is a one-hour 1 Hz run (heart rate with chest-strap RR intervals, cadence, speed,
distance, altitude, GPS) stored as the saved series a finished workout has. Measured from queueing
until every score is stored, its XP settled and its hand-off to challenges and worlds made:

* batched: the workouts are marked pending and one drain task scores them in chunks (the path
  ``workout_finish`` takes);
* naive baseline: one task per workout (``workouts_score_task([id])``), in the same run, on the
  same workouts.

Both passes score the workouts for the first time: before each (untimed) the people's scores, XP,
challenge ledger, totals, streaks and badges and the workouts' journey advances are erased, so
neither pass finds the hand-off already applied (which would skip most of its writes).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import Figure, figure

DESCRIPTION = (
    "scoring end to end with one Celery worker (PostgreSQL, Redis): batched vs one task each"
)
ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("WELLVERSE_BENCH_REDIS_URL") or "redis://127.0.0.1:6379/4"
QUEUE = "bench-scoring"
USERS = 20
START = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)


def _series_bytes(seed: int) -> tuple[bytes, bytes]:
    from benchmarks.scoring import synthetic_run
    from wellness.workouts.samples import Series

    frame, rr = synthetic_run(3600, seed=seed)
    records = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    t0 = records[0, 0]
    beat_t = t0 + np.cumsum(rr) / 1000.0
    beat_t = beat_t[beat_t <= records[-1, 0]]
    pairs = np.column_stack((np.floor(beat_t), rr[: beat_t.size]))
    # Saved the way ``workout_series_save`` saves a finished workout's series.
    return Series(records, np.ascontiguousarray(pairs)).to_bytes()


def _workouts(count: int) -> list[int]:
    """``count`` finished one-hour runs of USERS people (made once, reused by later runs)."""
    from django.db import transaction

    from benchmarks._scratch_db import bench_user
    from wellness.people.models import Profile, User
    from wellness.people.services import profile_update
    from wellness.workouts.models import Workout

    users: list[User] = []
    for i in range(USERS):
        user = bench_user(f"scoring{i}@bench.wellverse.test")
        assert isinstance(user, User)
        Profile.objects.get_or_create(user=user, defaults={"display_name": f"Scorer {i}"})
        profile_update(
            user=user,
            changes={"birth_year": 1980 + i, "sex": "female" if i % 2 else "male",
                     "weight_kg": 60 + i, "resting_heart_rate": 50 + i % 10},
        )  # fmt: skip
        users.append(user)
    existing = list(
        Workout.objects.filter(user__in=users).order_by("pk").values_list("pk", flat=True)
    )
    missing = count - len(existing)
    blobs = [_series_bytes(seed) for seed in range(8)]
    # Workouts made by an earlier run keep the series they were saved with: bring any saved in an
    # older encoding to the current one, as a finished workout now stores it.
    for seed, (data, rr) in enumerate(blobs):
        Workout.objects.filter(pk__in=existing[seed::8]).exclude(series_data=data).update(
            series_data=data, series_rr=rr
        )
    if missing > 0:
        with transaction.atomic():
            made = Workout.objects.bulk_create(
                Workout(
                    user=users[i % USERS], sport="run", started_at=START + dt.timedelta(hours=i),
                    ended_at=START + dt.timedelta(hours=i + 1), source="file", status="finished",
                    series_batches=0, series_data=blobs[i % 8][0], series_rr=blobs[i % 8][1],
                )
                for i in range(missing)
            )  # fmt: skip
        existing += [w.pk for w in made]
    return existing[:count]


def _first_scoring_reset(ids: list[int]) -> None:
    """Erase what scoring these workouts left (scores, XP, hand-off ledgers), untimed."""
    from challenges.privacy import challenges_health_data_erase
    from wellness.scoring.models import ScoringPending
    from wellness.scoring.privacy import scores_erase
    from wellness.workouts.models import Workout
    from worlds.models import JourneyAdvance

    user_ids = sorted(set(Workout.objects.filter(pk__in=ids).values_list("user_id", flat=True)))
    for user_id in user_ids:
        scores_erase(user_id)
        challenges_health_data_erase(user_id)
    JourneyAdvance.objects.filter(workout_id__in=ids).delete()
    ScoringPending.objects.filter(workout_id__in=ids).delete()


def _check_first_scoring(ids: list[int]) -> None:
    """Every workout was scored and handed off (its challenge ledger row written) in the pass."""
    from challenges.models import AppliedWorkout
    from wellness.scoring.models import StoredScore

    scored = StoredScore.objects.filter(workout_id__in=ids).count()
    applied = AppliedWorkout.objects.filter(workout_id__in=ids).count()
    if scored != len(ids) or applied != len(ids):
        raise RuntimeError(f"{scored} scores and {applied} hand-offs for {len(ids)} workouts")


def _wait(done: object, timeout: float) -> float:
    start = time.perf_counter()
    while not done():  # type: ignore[operator]
        if time.perf_counter() - start > timeout:
            raise RuntimeError("the worker did not finish in time")
        time.sleep(0.005)
    return time.perf_counter() - start


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import setup_django_on_scratch_database

    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CELERY_QUEUE"] = QUEUE
    database_url = setup_django_on_scratch_database()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from django.db import transaction
    from django.utils import timezone

    from benchmarks._scoring_task import workouts_score_task
    from wellness.config.celery import app
    from wellness.scoring.models import ScoringPending, StoredScore
    from wellness.scoring.queue import workouts_scoring_queue

    count = int(os.environ.get("WELLVERSE_BENCH_WORKOUTS", 300 if quick else 1_000))
    ids = _workouts(count)
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="wellness.config.settings", DEBUG="true",
        DATABASE_URL=database_url, REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE, LOG_LEVEL="WARNING",
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wellness.config", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--include", "benchmarks._scoring_task", "-Q", QUEUE],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
        # Warm the worker (imports, connections, the per-athlete tables) on a few workouts.
        warm_since = timezone.now()
        workouts_score_task.delay(ids[:USERS])
        _wait(
            lambda: StoredScore.objects.filter(scored_at__gte=warm_since).count() >= USERS,
            timeout=60,
        )

        def all_scored_since(moment: dt.datetime) -> object:
            return lambda: StoredScore.objects.filter(scored_at__gte=moment).count() >= count

        # Naive: one task per workout, each scored for the first time.
        _first_scoring_reset(ids)
        since = timezone.now()
        start = time.perf_counter()
        for pk in ids:
            workouts_score_task.delay([pk])
        _wait(all_scored_since(since), timeout=600)
        naive_s = time.perf_counter() - start
        _check_first_scoring(ids)

        # Batched: mark pending, one drain task scores them chunk by chunk (first scorings too).
        _first_scoring_reset(ids)
        start = time.perf_counter()
        with transaction.atomic():
            workouts_scoring_queue(workout_ids=ids)
        _wait(lambda: not ScoringPending.objects.exists(), timeout=600)
        batched_s = time.perf_counter() - start
        _check_first_scoring(ids)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return [
        figure(
            "scoring_pipeline", f"one-hour workouts scored per second, 1 worker process ({count:,})",
            count / batched_s, "workouts/s", baseline=count / naive_s,
            goal=">= 1,000 /s per worker process", higher_is_better=True,
        ),
    ]  # fmt: skip
