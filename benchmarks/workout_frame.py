"""Loading a one-hour 1 Hz workout into the scoring frame on PostgreSQL.

Two layouts of the same 3,600 samples: one companion batch, and 3,600 one-sample live batches
(a bridge at 1 Hz), the latter while recording and once finished (when the merged series is saved
on the workout, which is what scoring reads). The naive baseline builds the same frame from one
ORM row per sample.
"""

from __future__ import annotations

import datetime as dt

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = "workout_frame: one-hour 1 Hz workout into a pandas frame (PostgreSQL) vs ORM rows"
SAMPLES = 3_600
T0 = 1_764_000_000.0


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch import bench_user, setup_django_on_scratch_database

    setup_django_on_scratch_database()
    import pandas as pd
    from django.db import connection, models

    from benchmarks.ingest_sync import _batch
    from wellness import selectors, services
    from wellness.samples import COLUMNS

    class NaiveFrameSample(models.Model):
        workout_id = models.BigIntegerField(db_index=True)
        t = models.FloatField()
        hr = models.FloatField(null=True)
        cadence = models.FloatField(null=True)
        speed = models.FloatField(null=True)
        distance = models.FloatField(null=True)
        power = models.FloatField(null=True)
        altitude = models.FloatField(null=True)
        lat = models.FloatField(null=True)
        lon = models.FloatField(null=True)

        class Meta:
            app_label = "benchmarks_scratch"
            db_table = "bench_naive_frame_sample"

        def __str__(self) -> str:
            return f"{self.workout_id}@{self.t}"

    with connection.schema_editor() as editor:
        editor.execute("DROP TABLE IF EXISTS bench_naive_frame_sample")
        editor.create_model(NaiveFrameSample)

    user = bench_user()
    samples = _batch(1)
    started = dt.datetime.fromtimestamp(samples[0]["t"], tz=dt.UTC)
    one_batch = services.workout_create_with_samples(
        user=user,  # type: ignore[arg-type]
        sport="run", indoor=False, source="companion", started_at=started,
        ended_at=started + dt.timedelta(hours=1), samples=samples,
    )  # fmt: skip
    live = services.workout_start(user=user, sport="run", indoor=False, started_at=started)  # type: ignore[arg-type]
    for seq, sample in enumerate(samples, start=1):
        services.workout_samples_store(
            user=user,  # type: ignore[arg-type]
            workout_id=live.pk, device="strap", seq=seq, samples=[sample],
        )  # fmt: skip
    NaiveFrameSample.objects.bulk_create(  # type: ignore[attr-defined]
        NaiveFrameSample(workout_id=one_batch.pk, **{k: v for k, v in s.items() if k != "rr"})
        for s in samples
    )
    assert len(selectors.workout_frame(workout=one_batch)) == SAMPLES
    assert len(selectors.workout_frame(workout=live)) == SAMPLES

    def naive() -> pd.DataFrame:
        rows = NaiveFrameSample.objects.filter(workout_id=one_batch.pk).order_by("t")  # type: ignore[attr-defined]
        return pd.DataFrame.from_records(list(rows.values_list(*COLUMNS)), columns=list(COLUMNS))

    repeat = 15 if quick else 60
    companion = median_seconds(lambda: selectors.workout_frame(workout=one_batch), repeat=repeat)
    live_batches = median_seconds(lambda: selectors.workout_frame(workout=live), repeat=repeat)
    baseline = median_seconds(naive, repeat=max(5, repeat // 4))
    services.workout_finish(workout_id=live.pk)
    assert len(selectors.workout_frame(workout=live)) == SAMPLES
    finished = median_seconds(lambda: selectors.workout_frame(workout=live), repeat=repeat)

    for workout in (one_batch, live):
        services.workout_delete(user=user, workout_id=workout.pk)  # type: ignore[arg-type]
    with connection.schema_editor() as editor:
        editor.delete_model(NaiveFrameSample)
    return [
        figure(
            "workout_frame", "1 h at 1 Hz, one 3,600-sample batch", companion * 1000, "ms",
            baseline=baseline * 1000, goal="< 5 ms median", higher_is_better=False,
        ),
        figure(
            "workout_frame", "1 h at 1 Hz, 3,600 one-sample live batches", live_batches * 1000,
            "ms", baseline=baseline * 1000, goal="< 5 ms median", higher_is_better=False,
        ),
        figure(
            "workout_frame", "same, finished (series saved at finish)", finished * 1000,
            "ms", baseline=baseline * 1000, goal="< 5 ms median", higher_is_better=False,
        ),
    ]  # fmt: skip
