"""The scoring pipeline: drain the queue a chunk per transaction, store scores, add XP, hand off."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Generator, Sequence
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any, NamedTuple, cast

import numpy as np
import orjson
import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wellness.core.sql import rows_update, server_bound_cursor
from wellness.core.transactions import (
    broadcast_many_on_commit,
    broadcasts_together,
    notification,
)
from wellness.people.selectors import health_consent_active_many
from wellness.scoring import contributions, engine, handoff, levels
from wellness.scoring.athletes import athlete_from
from wellness.scoring.models import (
    BestEffort,
    BestEffortKind,
    Progress,
    ScoreStatus,
    ScoringPending,
    StoredScore,
)
from wellness.scoring.results import Athlete, UnscorableWorkout, WorkoutScore
from wellness.workouts.models import (
    SampleBatch,
    Sport,
    Workout,
    WorkoutSource,
    WorkoutStatus,
)
from wellness.workouts.samples import (
    Series,
    series_from_bytes,
)
from wellness.workouts.selectors import workout_series


def workouts_score_pending(*, chunk: int | None = None, max_chunks: int | None = None) -> int:
    """Score waiting workouts a chunk per transaction; return how many were scored.

    Each chunk's markers are locked (``SKIP LOCKED``: two workers take different chunks) and
    deleted in the transaction that stores their scores, so a worker killed mid-chunk leaves the
    chunk waiting, untouched, for the redelivered task.
    """
    chunk = chunk or settings.WELLVERSE_SCORING_CHUNK
    done = 0
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        with transaction.atomic():
            ids = list(
                ScoringPending.objects.select_for_update(skip_locked=True)
                .order_by("workout_id")
                .values_list("workout_id", flat=True)[:chunk]
            )
            if not ids:
                return done
            workouts_score(workout_ids=ids)
            ScoringPending.objects.filter(workout_id__any_of=ids).delete()
        done += len(ids)
        chunks += 1
    return done


# The saved series of many workouts in one query, where still current (see Workout.series_*).
_SAVED_SERIES_SQL = f"""
SELECT w.id, w.series_data, w.series_rr FROM {Workout._meta.db_table} w
WHERE w.id = ANY(%s) AND w.series_data IS NOT NULL AND w.series_batches =
      (SELECT count(*) FROM {SampleBatch._meta.db_table} b WHERE b.workout_id = w.id)
"""


def _saved_series(workout_ids: list[int]) -> Generator[tuple[int, Series]]:
    """(workout id, saved series) as each row arrives; workouts missing here are merged from their
    batches (see ``workouts_score``).

    Streamed row by row: PostgreSQL reads the next series from its TOAST table and sends it while
    the caller scores this one, instead of the whole chunk (~50 MB) arriving before any scoring.
    The connection is busy until the iteration ends, so the caller must not query in between, and
    must close the iterator if it stops early (``contextlib.closing``).
    """
    if connection.vendor != "postgresql" or not workout_ids:
        return
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    # A binary cursor: an hour's series is ~0.3 MB, which text format would send as hex and
    # make the worker decode.
    # Django's cursors bind on the client, which allows text results only.
    with psycopg.Cursor(raw) as cursor:
        # A generator (typed as an iterator): closing it cancels and drains the query.
        rows = cast(Generator[Any], cursor.stream(_SAVED_SERIES_SQL, [workout_ids], binary=True))
        try:
            for pk, data, rr in rows:
                yield pk, series_from_bytes(data, rr or b"")
        finally:
            # Stopped early (an error while scoring): cancel the query and release the
            # connection's lock, which the suspended stream holds, before the rollback needs it.
            rows.close()


class _ScoringInput(NamedTuple):
    """A workout being scored, with its person's profile values, as one row of the locking query
    (model instances of the workouts, users and profiles of a chunk cost more than the scoring)."""

    pk: int
    user_id: int
    sport: str
    indoor: bool
    started_at: dt.datetime
    ended_at: dt.datetime | None
    source: str
    birth_year: int | None
    sex: str | None
    weight_kg: Decimal | None
    resting_hr: int | None
    max_hr: int | None
    lthr: int | None
    pauses: list[list[float]] | None


_LOCKED_FIELDS = (
    "pk", "user_id", "sport", "indoor", "started_at", "ended_at", "source",
    "user__profile__birth_year",
    "user__profile__sex", "user__profile__weight_kg", "user__profile__resting_heart_rate",
    "user__profile__max_heart_rate", "user__profile__lactate_threshold_heart_rate", "pauses",
)  # fmt: skip


def _score_one(workout: _ScoringInput, series: Series) -> WorkoutScore | UnscorableWorkout:
    """Score one workout from its series; no query (it runs while the saved series stream in)."""
    try:
        athlete = athlete_from(
            birth_year=workout.birth_year,
            sex=workout.sex,
            weight_kg=workout.weight_kg,
            resting_hr=workout.resting_hr,
            max_hr=workout.max_hr,
            lthr=workout.lthr,
        )
    except ValueError:
        # Contradictory stored values (resting above maximum heart rate): let the formulas
        # estimate instead of refusing the workout.
        athlete = Athlete()
    elapsed = (workout.ended_at - workout.started_at).total_seconds() if workout.ended_at else None
    try:
        return engine.score_arrays(
            np.ascontiguousarray(series.records.T),
            series.rr[:, 1],
            athlete,
            workout.sport,
            indoor=workout.indoor,
            elapsed_s=elapsed,
            pauses=None if workout.pauses is None else [(a, b) for a, b in workout.pauses],
        )
    except UnscorableWorkout as exc:
        return exc


def workouts_score(*, workout_ids: Sequence[int]) -> list[StoredScore]:
    """Score finished workouts (again), store the scores, settle XP and hand them over.

    Idempotent: a workout's stored score is replaced and the person's XP changes by the difference
    from the points it had before, so scoring twice awards nothing twice. Unscorable workouts are
    stored with their reason. After storing, one explicit call per receiver hands each scored
    workout to challenges and worlds (they are idempotent per workout).
    """
    with transaction.atomic(), broadcasts_together():
        # Locking the workouts serialises two scorings of one workout (a drain task and the
        # rescore command): the second then sees the first's stored points and adds no XP twice.
        workouts = [
            _ScoringInput(*row)
            for row in Workout.objects.select_for_update(of=("self",))
            .filter(pk__any_of=list(workout_ids), status=WorkoutStatus.FINISHED)
            .order_by("pk")
            .values_list(*_LOCKED_FIELDS)
        ]
        # Consent withdrawn stops all processing: the workout stays stored, unscored, with no XP,
        # and a score it had before the withdrawal is left as it was (not re-scored).
        consenting = health_consent_active_many(sorted({w.user_id for w in workouts}))
        workouts = [w for w in workouts if consenting[w.user_id]]
        # Each saved series is scored as it arrives, then those without one (recorded live and
        # not yet saved, or changed since) are merged from their batches.
        by_pk = {w.pk: w for w in workouts}
        with contextlib.closing(_saved_series(list(by_pk))) as stream:
            outcomes = {pk: _score_one(by_pk[pk], series) for pk, series in stream}
        for workout in workouts:
            if workout.pk not in outcomes:
                series = workout_series(workout=workout.pk)
                outcomes[workout.pk] = _score_one(workout, series)
        # The previous points as plain rows (not model instances, whose metrics JSON would be
        # decoded only to be replaced).
        before: dict[int, int] = dict(
            StoredScore.objects.select_for_update()
            .filter(workout_id__any_of=[w.pk for w in workouts])
            .values_list("workout_id", "points")
        )
        # A class of another sport than yoga (HIIT) counts its breathing segments as mindful.
        class_mindful = contributions.mindful_minutes(
            workout_ids=[
                w.pk for w in workouts if w.source == WorkoutSource.CLASS and w.sport != Sport.YOGA
            ]
        )
        now = timezone.now()
        rows: list[StoredScore] = []
        results: dict[int, WorkoutScore] = {}
        xp_change: dict[int, int] = {}
        for workout in workouts:
            outcome = outcomes[workout.pk]
            if workout.pk in class_mindful and isinstance(outcome, WorkoutScore):
                outcome = replace(outcome, mindful_minutes=class_mindful[workout.pk])
            row = StoredScore(workout_id=workout.pk, scored_at=now)
            if isinstance(outcome, UnscorableWorkout):
                row.status = ScoreStatus.UNSCORABLE
                row.reason, row.reason_code = outcome.reason, outcome.code
                row.metrics, row.flags = {}, []
            else:
                results[workout.pk] = outcome
                row.status = ScoreStatus.SCORED
                row.metrics = _metrics_json(outcome)
                row.flags = [{"code": f.code, "reason": f.reason} for f in outcome.flags]
                row.points = outcome.points
                row.training_load = outcome.training_load
                # Acceptance is per challenge (its contribution), never the score's: a flagged
                # workout counts for no leaderboard here, whoever accepted it somewhere.
                row.counts_for_leaderboards = outcome.counts_for_leaderboards
            change = row.points - before.get(workout.pk, 0)
            if change:
                xp_change[workout.user_id] = xp_change.get(workout.user_id, 0) + change
            rows.append(row)
        _scores_store(rows)
        _progress_add(xp_change)
        _best_efforts_store(workouts=workouts, results=results)
        _hand_off(workouts=workouts, results=results)
    return rows


# What a re-score replaces on a stored score: all of it.
_SCORE_UPDATE_FIELDS = (
    "status", "metrics", "flags", "points", "training_load", "counts_for_leaderboards", "reason",
    "reason_code", "scored_at",
)  # fmt: skip

# One statement with every row as an array parameter, bound on the server in binary: Django's
# ``bulk_create`` escapes the same arrays on the client at many times the cost.
_SCORES_UPSERT_SQL = f"""
INSERT INTO {StoredScore._meta.db_table}
    (workout_id, status, metrics, flags, points, training_load, counts_for_leaderboards, reason,
     reason_code, scored_at)
SELECT v.workout_id, v.status, v.metrics::jsonb, v.flags::jsonb, v.points, v.training_load,
       v.counts, v.reason, v.reason_code, v.scored_at
FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[], %b::bigint[], %b::float8[],
            %b::bool[], %b::text[], %b::text[], %b::timestamptz[])
     AS v(workout_id, status, metrics, flags, points, training_load, counts, reason, reason_code,
          scored_at)
ON CONFLICT (workout_id) DO UPDATE SET
    {", ".join(f"{name} = excluded.{name}" for name in _SCORE_UPDATE_FIELDS)}
"""


def _best_efforts_store(
    *, workouts: Sequence[_ScoringInput], results: dict[int, WorkoutScore]
) -> None:
    """Replace the chunk's best efforts: those of workouts that count for leaderboards; a flagged
    workout's implausible data sets no personal record (an organizer's acceptance in a challenge
    counts it there only)."""
    BestEffort.objects.filter(workout_id__any_of=[w.pk for w in workouts]).delete()
    efforts: list[BestEffort] = []
    for workout in workouts:
        score = results.get(workout.pk)
        if score is None or not score.counts_for_leaderboards:
            continue
        for kind, values in (
            (BestEffortKind.TIME, score.best_times),
            (BestEffortKind.POWER, score.best_powers),
        ):
            efforts.extend(
                BestEffort(
                    workout_id=workout.pk,
                    user_id=workout.user_id,
                    sport=workout.sport,
                    kind=kind,
                    name=name,
                    value=value,
                    achieved_at=workout.started_at,
                )
                for name, value in values.items()
            )
    BestEffort.objects.bulk_create(efforts)


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _scores_store(rows: Sequence[StoredScore]) -> None:
    """Insert or replace these scores (one row per workout)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        StoredScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workout"],
            update_fields=list(_SCORE_UPDATE_FIELDS),
        )
        return
    with server_bound_cursor() as cursor:
        cursor.execute(
            _SCORES_UPSERT_SQL,
            [
                [r.workout_id for r in rows],
                [str(r.status) for r in rows],  # str: psycopg would dump an Enum by name
                [_json_text(r.metrics) for r in rows],
                [_json_text(r.flags) for r in rows],
                [int(r.points) for r in rows],
                [float(r.training_load) for r in rows],
                [bool(r.counts_for_leaderboards) for r in rows],
                [str(r.reason) for r in rows],
                [str(r.reason_code) for r in rows],
                [r.scored_at for r in rows],
            ],
        )


# The stored metrics: every field of a score but its flags (stored apart), read in one pass
# instead of through ``dataclasses.asdict``, which deep-copies each value on the way.
_METRIC_FIELDS = tuple(f.name for f in fields(WorkoutScore) if f.name != "flags")


def _metrics_json(score: WorkoutScore) -> dict[str, Any]:
    """A score's metrics as JSON (as ``_json_ready(asdict(score))`` without its flags)."""
    metrics: dict[str, Any] = {}
    for name in _METRIC_FIELDS:
        value = getattr(score, name)
        if isinstance(value, float):
            metrics[name] = value if math.isfinite(value) else None
        elif isinstance(value, tuple):
            metrics[name] = _json_ready(value)
        else:
            metrics[name] = value
    return metrics


def _json_ready(value: Any) -> Any:
    """Metrics as JSON: tuples as lists, and NaN/inf (which JSON cannot hold) as null."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _progress_add(xp_change: dict[int, int]) -> None:
    """Add XP per user under row locks (in user order, so concurrent chunks cannot deadlock)."""
    if not xp_change:
        return
    users = sorted(xp_change)
    Progress.objects.bulk_create([Progress(user_id=pk) for pk in users], ignore_conflicts=True)
    rows = list(Progress.objects.select_for_update().filter(user_id__in=users).order_by("user_id"))
    level_ups = []
    for row in rows:
        old_level = row.level
        row.xp = max(row.xp + xp_change[row.user_id], 0)
        row.level = levels.level_for_xp(row.xp)
        if row.level > old_level:
            event = {"kind": "level", "level": row.level, "xp": row.xp}
            level_ups.append(notification(row.user_id, event))
    rows_update(
        Progress,
        key="user_id",
        fields=("xp", "level"),
        sql_type="BIGINT",
        rows=[(row.user_id, row.xp, row.level) for row in rows],
    )
    broadcast_many_on_commit(level_ups)


def _hand_off(*, workouts: Sequence[_ScoringInput], results: dict[int, WorkoutScore]) -> None:
    """One call per registered receiver with the chunk's scored workouts, in workout order."""
    scored = []
    for workout in workouts:
        if workout.pk not in results:
            continue
        assert workout.ended_at is not None
        scored.append(
            handoff.scored_workout(
                score=results[workout.pk],
                workout_id=workout.pk,
                user_id=workout.user_id,
                started_at=workout.started_at,
                ended_at=workout.ended_at,
            )
        )
    if scored:
        for _, receiver in handoff.receivers():
            receiver(scored=scored)
