"""Companion sync on PostgreSQL: samples stored per second from 3,600-sample batches.

Measured through the whole HTTP view in-process (JSON parsing, Idempotency-Key, validation,
packing, one row per batch, commit), beside the naive path: the same samples written as one ORM
row per sample (in one transaction per batch), on fewer samples.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks import Figure, figure

DESCRIPTION = "companion sync: samples/s stored on PostgreSQL vs one ORM row per sample"
BATCH = 3_600
T0 = 1_764_000_000.0


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


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch import bench_user, setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from django.db import connection, models, transaction
    from django.test import Client

    from wellness import services
    from wellness.models import Sport

    class NaiveSample(models.Model):
        workout_id = models.BigIntegerField()
        t = models.FloatField()
        hr = models.FloatField(null=True)
        rr = models.JSONField(null=True)
        cadence = models.FloatField(null=True)
        speed = models.FloatField(null=True)
        distance = models.FloatField(null=True)
        power = models.FloatField(null=True)
        altitude = models.FloatField(null=True)
        lat = models.FloatField(null=True)
        lon = models.FloatField(null=True)

        class Meta:
            app_label = "benchmarks_scratch"
            db_table = "bench_naive_sample"

        def __str__(self) -> str:
            return f"{self.workout_id}@{self.t}"

    with connection.schema_editor() as editor:
        editor.execute("DROP TABLE IF EXISTS bench_naive_sample")
        editor.create_model(NaiveSample)

    user = bench_user()
    import datetime as dt

    workout = services.workout_start(
        user=user,  # type: ignore[arg-type]
        sport=Sport.RUN, indoor=False, started_at=dt.datetime.fromtimestamp(T0, tz=dt.UTC),
    )  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)  # type: ignore[arg-type]
    batches = 6 if quick else 30
    bodies = [
        json.dumps({"device": "phone", "seq": s, "samples": _batch(s)})
        for s in range(1, batches + 1)
    ]
    url = f"/api/v1/workouts/{workout.pk}/samples/"

    # Warm up imports and URL resolution with a batch that is not measured.
    warm = json.dumps({"device": "warm-up", "seq": 1, "samples": _batch(0)})
    client.post(url, warm, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"{workout.pk}-w")
    start = time.perf_counter()
    for seq, body in enumerate(bodies, start=1):
        response = client.post(
            url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"{workout.pk}-{seq}"
        )
        assert response.status_code == 201, response.status_code
    fast = batches * BATCH / (time.perf_counter() - start)

    naive_samples = _batch(0)[: 600 if quick else 1_800]
    start = time.perf_counter()
    with transaction.atomic():
        for sample in naive_samples:
            NaiveSample.objects.create(workout_id=workout.pk, **sample)  # type: ignore[attr-defined]
    naive = len(naive_samples) / (time.perf_counter() - start)

    services.workout_delete(user=user, workout_id=workout.pk)  # type: ignore[arg-type]
    with connection.schema_editor() as editor:
        editor.delete_model(NaiveSample)
    return [
        figure(
            "ingest_sync", f"sync HTTP, {BATCH:,}-sample batches", fast, "samples/s",
            baseline=naive, goal=">= 200,000 samples/s and >= 100x naive", higher_is_better=True,
        )
    ]  # fmt: skip
