"""Loading a one-hour 1 Hz workout into the scoring frame on PostgreSQL.

Two layouts of the same 3,600 samples: one companion batch, and 3,600 one-sample live batches
(a bridge at 1 Hz), the latter while recording and once finished (when the merged series is saved
on the workout, which is what scoring reads). The naive baseline builds the same frame from one
ORM row per sample.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = "workout_frame: one-hour 1 Hz workout into a pandas frame (PostgreSQL) vs ORM rows"
SAMPLES = 3_600
T0 = 1_764_000_000.0


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import (
        bench_user,
        naive_sample_table,
        setup_django_on_scratch_database,
    )

    setup_django_on_scratch_database()
    import pandas as pd

    from benchmarks.ingest_sync import _batch
    from wellness.workouts.samples import COLUMNS
    from wellness.workouts.selectors import workout_frame
    from wellness.workouts.services import (
        workout_create_with_samples,
        workout_delete,
        workout_finish,
        workout_samples_store,
        workout_start,
    )

    user: Any = bench_user()
    samples = _batch(1)
    started = dt.datetime.fromtimestamp(samples[0]["t"], tz=dt.UTC)
    one_batch = workout_create_with_samples(
        user=user, sport="run", indoor=False, source="companion", started_at=started,
        ended_at=started + dt.timedelta(hours=1), samples=samples,
    )  # fmt: skip
    live = workout_start(user=user, sport="run", indoor=False, started_at=started)
    for seq, sample in enumerate(samples, start=1):
        workout_samples_store(
            user=user, workout_id=live.pk, device="strap", seq=seq, samples=[sample]
        )
    assert len(workout_frame(workout=one_batch)) == SAMPLES
    assert len(workout_frame(workout=live)) == SAMPLES
    repeat = 15 if quick else 60

    with naive_sample_table() as naive_sample:
        naive_sample.objects.bulk_create(
            naive_sample(workout_id=one_batch.pk, **sample) for sample in samples
        )

        def naive() -> pd.DataFrame:
            rows = naive_sample.objects.filter(workout_id=one_batch.pk).order_by("t")
            return pd.DataFrame.from_records(
                list(rows.values_list(*COLUMNS)), columns=list(COLUMNS)
            )

        companion = median_seconds(lambda: workout_frame(workout=one_batch), repeat=repeat)
        live_batches = median_seconds(lambda: workout_frame(workout=live), repeat=repeat)
        baseline = median_seconds(naive, repeat=max(5, repeat // 4))
    workout_finish(workout_id=live.pk)
    assert len(workout_frame(workout=live)) == SAMPLES
    finished = median_seconds(lambda: workout_frame(workout=live), repeat=repeat)

    for workout in (one_batch, live):
        workout_delete(user=user, workout_id=workout.pk)
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
