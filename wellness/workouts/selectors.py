"""Reads for workouts and their samples: the merged series, the frame scoring reads, acked batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
from django.db import connection
from django.db.models import QuerySet

from wellness.core.errors import NotFound
from wellness.people.models import (
    User,
)
from wellness.workouts.models import SampleBatch, Workout, WorkoutStatus
from wellness.workouts.samples import Series, merge_batches, series_from_bytes

SERIES_FIELDS = ("series_data", "series_rr")


def workouts_for(*, user: User) -> QuerySet[Workout]:
    return Workout.objects.filter(user=user).defer(*SERIES_FIELDS).order_by("-started_at", "-id")


def workout_of(*, user: User, workout_id: int) -> Workout:
    """The user's workout; someone else's is as absent as a missing one."""
    workout = Workout.objects.filter(pk=workout_id, user=user).defer(*SERIES_FIELDS).first()
    if workout is None:
        raise NotFound("No such workout.")
    return workout


# The batches of a workout in one round trip, in the order that decides which batch wins a
# duplicated timestamp: (device, seq), devices compared bytewise (COLLATE "C") as SQLite and the
# merge model do, whatever the database's collation. PostgreSQL concatenates them (row-major
# records concatenate) after one sort in the subquery (plain aggregates consume its order; an
# ORDER BY in each of them would sort four times), and the counts come as int4 bytes.
_SERIES_SQL = f"""
SELECT string_agg(data, ''::bytea), string_agg(int4send(count), ''::bytea),
       string_agg(rr, ''::bytea), string_agg(int4send(rr_count), ''::bytea)
FROM (
    SELECT data, count, rr, rr_count FROM {SampleBatch._meta.db_table}
    WHERE workout_id = %s ORDER BY device COLLATE "C", seq
) AS batches
"""
_INT4 = np.dtype(">i4")


_CACHED_SERIES_SQL = f"""
SELECT w.series_data, w.series_rr FROM {Workout._meta.db_table} w
WHERE w.id = %s AND w.series_batches =
      (SELECT count(*) FROM {SampleBatch._meta.db_table} b WHERE b.workout_id = w.id)
"""


def workout_series(*, workout: Workout | int) -> Series:
    """All stored samples of a workout merged: sorted by t, one sample per t, RR in time order."""
    workout_id = workout if isinstance(workout, int) else workout.pk
    # A workout still recording has no saved series (it is saved when the workout finishes), so
    # its batches are merged without looking for one; if it finished meanwhile, merging them
    # gives the same series.
    recording = isinstance(workout, Workout) and workout.status == WorkoutStatus.ACTIVE
    if connection.vendor == "postgresql":
        if not recording:
            with connection.cursor() as cursor:
                cursor.execute(_CACHED_SERIES_SQL, [workout_id])
                cached = cursor.fetchone()
                if cached is not None:
                    return series_from_bytes(bytes(cached[0]), bytes(cached[1]))
        return _batches_merged(workout_id)
    rows = list(
        SampleBatch.objects.filter(workout_id=workout_id)
        .order_by("device", "seq")
        .values_list("data", "count", "rr", "rr_count")
    )
    return merge_batches(
        b"".join(bytes(r[0]) for r in rows),
        [r[1] for r in rows],
        b"".join(bytes(r[2]) for r in rows),
        [r[3] for r in rows],
    )


def _batches_merged(workout_id: int) -> Series:
    """The still-recording path on PostgreSQL: every batch in one binary query, merged by NumPy."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    # A binary cursor: bytea in text format comes as hex, twice the bytes and a decode. Django's
    # cursors bind on the client, which allows text results only.
    with psycopg.Cursor(raw) as cursor:
        cursor.execute(_SERIES_SQL, [workout_id], binary=True)
        row = cursor.fetchone()
    assert row is not None
    data, counts, rr, rr_counts = row
    if data is None:
        return merge_batches(b"", [])
    return merge_batches(
        data, np.frombuffer(counts, _INT4), rr or b"", np.frombuffer(rr_counts, _INT4)
    )


def workout_frame(*, workout: Workout | int) -> pd.DataFrame:
    """The scoring frame: float64 columns t, hr, cadence, speed, distance, power, altitude, lat,
    lon; NaN where not measured; sorted by t with unique t."""
    return workout_series(workout=workout).frame()


def workout_rr(*, workout: Workout | int) -> np.ndarray:
    """RR intervals in ms (float64), in time order."""
    return np.ascontiguousarray(workout_series(workout=workout).rr[:, 1])


def workout_acked_seqs(*, workout: Workout | int) -> dict[str, int]:
    """Per device, the highest seq up to which every batch (1..seq) is stored: what a reconnecting
    client need not send again. A gap stops the count, so a lost batch is always re-sent."""
    workout_id = workout if isinstance(workout, int) else workout.pk
    acked: dict[str, int] = {}
    rows = (
        SampleBatch.objects.filter(workout_id=workout_id)
        .order_by("device", "seq")
        .values_list("device", "seq")
    )
    for device, seq in rows:
        current = acked.setdefault(device, 0)
        if seq == current + 1:
            acked[device] = seq
    return acked


def workout_sample_count(*, workout: Workout | int) -> int:
    return len(workout_series(workout=workout).records)
