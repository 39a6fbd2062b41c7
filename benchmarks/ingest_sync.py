"""Companion sync on PostgreSQL: samples stored per second from 3,600-sample batches.

Measured through the whole HTTP view in-process (JSON parsing, Idempotency-Key, validation,
packing, the one-statement insert of batch and key, commit, the response), in both wire formats:
columns (what the phone companion sends) and the per-sample list (the shared sample format). The
naive path beside it: the same samples written as one ORM row per sample, one transaction per
chunk. The three are interleaved round by round, so a change in the machine's load hits all alike.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import orjson

from benchmarks import Figure, figure

DESCRIPTION = "companion sync: samples/s stored on PostgreSQL vs one ORM row per sample"
BATCH = 3_600
NAIVE_CHUNK = 100  # samples per naive round, so one naive round stays short
T0 = 1_764_000_000.0
GOAL = ">= 200,000 samples/s and >= 100x naive"


def _batch(seq: int) -> list[dict[str, Any]]:
    start = T0 + seq * BATCH
    return [
        {
            "t": start + i, "hr": 120 + i % 40, "rr": [500.0 + i % 7],
            "cadence": 170, "speed": 3.1, "distance": 3.1 * i,
            "altitude": 52.5, "lat": 51.5 + i * 1e-5, "lon": -0.12 - i * 1e-5,
        }
        for i in range(BATCH)
    ]  # fmt: skip


def _body(fmt: str, seq: int) -> bytes:
    from benchmarks._sync_client import samples_as_columns

    samples = _batch(seq)
    batch: dict[str, Any] = (
        {"samples": samples} if fmt == "samples" else {"columns": samples_as_columns(samples)}
    )
    return orjson.dumps({"device": f"phone-{fmt}", "seq": seq, **batch})


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import (
        bench_user,
        naive_sample_table,
        setup_django_on_scratch_database,
    )

    setup_django_on_scratch_database()
    from django.db import transaction
    from django.test import Client

    from wellness.workouts.models import Sport
    from wellness.workouts.services import workout_delete, workout_start

    user: Any = bench_user()
    workout = workout_start(
        user=user,
        sport=Sport.RUN,
        indoor=False,
        started_at=dt.datetime.fromtimestamp(T0, tz=dt.UTC),
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/api/v1/workouts/{workout.pk}/samples/"
    formats = ("columns", "samples")
    rounds = 6 if quick else 30
    bodies = {fmt: {seq: _body(fmt, seq) for seq in range(1, rounds + 2)} for fmt in formats}
    seconds = dict.fromkeys((*formats, "naive"), 0.0)
    naive_samples = _batch(0)

    def post(fmt: str, seq: int) -> None:
        response = client.post(
            url, bodies[fmt][seq], content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"{workout.pk}-{fmt}-{seq}",
        )  # fmt: skip
        assert response.status_code == 201, (response.status_code, response.content[:200])

    with naive_sample_table() as naive_sample:
        for fmt in formats:  # warm-up (imports, URL resolution), not measured
            post(fmt, 1)
        for seq in range(2, rounds + 2):
            for fmt in formats:
                start = time.perf_counter()
                post(fmt, seq)
                seconds[fmt] += time.perf_counter() - start
            chunk = naive_samples[(seq - 2) * NAIVE_CHUNK : (seq - 1) * NAIVE_CHUNK]
            start = time.perf_counter()
            with transaction.atomic():
                for sample in chunk:
                    naive_sample.objects.create(workout_id=workout.pk, **sample)
            seconds["naive"] += time.perf_counter() - start

    workout_delete(user=user, workout_id=workout.pk)
    naive = rounds * NAIVE_CHUNK / seconds["naive"]
    rate = {fmt: rounds * BATCH / seconds[fmt] for fmt in formats}
    return [
        figure(
            "ingest_sync", f"sync HTTP, {BATCH:,}-sample batches as columns (the companion)",
            rate["columns"], "samples/s", baseline=naive, goal=GOAL, higher_is_better=True,
        ),
        figure(
            "ingest_sync", f"sync HTTP, {BATCH:,}-sample batches as a list of samples",
            rate["samples"], "samples/s", baseline=naive, goal=GOAL, higher_is_better=True,
        ),
    ]  # fmt: skip
