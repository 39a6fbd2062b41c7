"""Writes for workouts and their samples: start, store batches (live, synced, imported), finish, delete."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from wellness.core.errors import (
    ConsentRequired,
    DomainError,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    ValidationFailed,
)
from wellness.core.sql import server_bound_cursor
from wellness.people.models import (
    ConsentRecord,
    User,
)
from wellness.people.selectors import health_consent_active
from wellness.scoring.queue import workouts_scoring_queue
from wellness.workouts.models import (
    IdempotencyKey,
    SampleBatch,
    Sport,
    Workout,
    WorkoutSource,
    WorkoutStatus,
)
from wellness.workouts.samples import (
    PackedBatch,
    SampleError,
    pack_columns,
    pack_samples,
)
from wellness.workouts.selectors import SERIES_FIELDS, workout_series
from wellness.workouts.sports import MAX_DURATION_H

MAX_DEVICE_ID_LENGTH = 64
MAX_SEQ = 2**31 - 1
# Workouts start and end after this, and at most a device's clock skew in the future.
EARLIEST_WORKOUT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CLOCK_SKEW = dt.timedelta(minutes=5)


def _require_consent(user: User) -> None:
    if not health_consent_active(user=user):
        raise ConsentRequired()


def _validate_workout_fields(
    *, sport: str, source: str, started_at: dt.datetime, ended_at: dt.datetime | None
) -> None:
    errors: dict[str, list[str]] = {}
    if sport not in Sport.values:
        errors["sport"] = [f"Sport must be one of {', '.join(Sport.values)}."]
    if source not in WorkoutSource.values:
        errors["source"] = [f"Source must be one of {', '.join(WorkoutSource.values)}."]
    if started_at.tzinfo is None:
        errors["started_at"] = ["The start time needs a time zone (UTC)."]
    elif (problem := _implausible_time(started_at)) is not None:
        errors["started_at"] = [f"The start {problem}."]
    if ended_at is not None and ended_at.tzinfo is not None and started_at.tzinfo is not None:
        errors.update(_end_problems(sport=sport, started_at=started_at, ended_at=ended_at))
    if errors:
        raise ValidationFailed("The workout is not valid.", fields=errors)


def _implausible_time(moment: dt.datetime) -> str | None:
    """Why a workout's start or end cannot be true, if it cannot."""
    if moment < EARLIEST_WORKOUT:
        return f"lies before {EARLIEST_WORKOUT.year}: the device's clock was not set"
    if moment > timezone.now() + CLOCK_SKEW:
        return "lies in the future: check the device's clock"
    return None


def _end_problems(
    *, sport: str, started_at: dt.datetime, ended_at: dt.datetime
) -> dict[str, list[str]]:
    if ended_at < started_at:
        return {"ended_at": ["A workout cannot end before it starts."]}
    if (problem := _implausible_time(ended_at)) is not None:
        return {"ended_at": [f"The end {problem}."]}
    longest = MAX_DURATION_H.get(sport, MAX_DURATION_H["other"])
    if ended_at - started_at > dt.timedelta(hours=longest):
        return {
            "ended_at": [f"A {sport} workout lasts at most {longest} hours; split a longer one."]
        }
    return {}


def workout_start(
    *,
    user: User,
    sport: str,
    indoor: bool,
    started_at: dt.datetime,
    source: str = WorkoutSource.BRIDGE,
    client_id: str = "",
) -> Workout:
    """Open a workout, or with a known ``client_id`` return the one already opened (a resume)."""
    _require_consent(user)
    _validate_workout_fields(sport=sport, source=source, started_at=started_at, ended_at=None)
    client_id = (client_id or "").strip()
    if len(client_id) > 64:
        raise ValidationFailed(
            "client_id is too long.", fields={"client_id": ["Use at most 64 characters."]}
        )
    if client_id:
        existing = Workout.objects.filter(user=user, client_id=client_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return Workout.objects.create(
                user=user,
                sport=sport,
                indoor=indoor,
                started_at=started_at,
                source=source,
                client_id=client_id,
            )
    except IntegrityError:
        # A racing start with the same client_id won; resume that one.
        return Workout.objects.get(user=user, client_id=client_id)


def batch_address_validate(*, device: object, seq: object) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    device_id = device.strip() if isinstance(device, str) else ""
    # shown in exports and logs: no control characters
    if not 0 < len(device_id) <= MAX_DEVICE_ID_LENGTH or not (
        isinstance(device, str) and device.isprintable()
    ):
        errors["device"] = [f"A stable device id of 1-{MAX_DEVICE_ID_LENGTH} printable characters."]
    number = seq if type(seq) is int else 0  # not bool, which isinstance would let through
    if not 1 <= number <= MAX_SEQ:
        errors["seq"] = ["The batch sequence number: an integer from 1, one more per batch."]
    if errors:
        raise ValidationFailed("The batch is not valid.", fields=errors)
    return device_id, number


def samples_pack(*, samples: object = None, columns: object = None) -> PackedBatch:
    """Validate and pack a batch, refusing it whole (nothing partial is ever stored).

    The batch comes as a list of sample objects (``samples``) or, from the companion's sync, as
    columns (``columns``, see :func:`wellness.workouts.samples.pack_columns`); exactly one of them.
    """
    field = "samples" if columns is None else "columns"
    if samples is not None and columns is not None:
        raise ValidationFailed(
            "Send the samples either as a list (samples) or as columns, not both.",
            fields={"samples": ["Send samples or columns, not both."]},
        )
    limit = settings.WELLVERSE_MAX_SAMPLES_PER_BATCH
    count = _batch_length(
        samples if columns is None else columns.get("t") if type(columns) is dict else None
    )
    if count > limit:
        raise PayloadTooLarge(
            f"A batch holds at most {limit:,} samples; this one has {count:,}. "
            "Split it into several batches."
        )
    try:
        return pack_samples(samples) if columns is None else pack_columns(columns)
    except SampleError as exc:
        raise ValidationFailed(
            f"The batch was refused: {exc}.", fields={field: [str(exc)]}
        ) from None


def _batch_length(values: object) -> int:
    return len(values) if isinstance(values, list) else 0


@dataclass(frozen=True)
class BatchStored:
    workout_id: int
    device: str
    seq: int
    count: int
    created: bool  # False when this batch was already stored (a re-send)


_BATCH_INSERT_SQL = f"""
INSERT INTO {SampleBatch._meta.db_table}
    (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %b, %b, now())
ON CONFLICT (workout_id, device, seq) DO NOTHING
RETURNING id
"""


def _batch_insert(*, workout_id: int, device: str, seq: int, packed: PackedBatch) -> bool:
    """Store a batch unless its (workout, device, seq) is stored; True when this call stored it."""
    if connection.vendor == "postgresql":
        with server_bound_cursor() as cursor:
            cursor.execute(
                _BATCH_INSERT_SQL,
                [workout_id, device, seq, packed.count, packed.rr_count,
                 packed.t_first, packed.t_last, packed.data, packed.rr],
            )  # fmt: skip
            return cursor.fetchone() is not None
    try:
        with transaction.atomic():
            SampleBatch.objects.create(
                workout_id=workout_id,
                device=device,
                seq=seq,
                count=packed.count,
                rr_count=packed.rr_count,
                t_first=packed.t_first,
                t_last=packed.t_last,
                data=packed.data,
                rr=packed.rr,
            )
    except IntegrityError:
        # The unique (workout, device, seq) constraint: stored before, or by a racing request.
        return False
    return True


def workout_samples_store(
    *, user: User, workout_id: int, device: object, seq: object, samples: object
) -> BatchStored:
    """Store one batch of samples of the user's workout, once however often it is sent."""
    device, seq = batch_address_validate(device=device, seq=seq)
    packed = samples_pack(samples=samples)
    return workout_samples_store_packed(
        user=user, workout_id=workout_id, device=device, seq=seq, packed=packed
    )


@dataclass(frozen=True)
class PendingBatch:
    """A validated, packed batch waiting to be stored for ``user_id``."""

    user_id: int
    workout_id: int
    device: str
    seq: int
    packed: PackedBatch


# Many batches in one statement, each only if its workout is the user's and the user's newest
# consent record grants health-data processing: ownership and consent are decided in the same
# statement as the write, so no check can go stale between them. The batches go in as one array
# per column, so the text is the same for any number of batches: psycopg converts it once and the
# server plans it once (prepared), where a multi-row VALUES was new text for every batch count.
_MANY_INSERT_SQL = f"""
WITH v AS (
    SELECT * FROM unnest(
        %b::bigint[], %b::bigint[], %b::varchar[], %b::integer[], %b::integer[], %b::integer[],
        %b::float8[], %b::float8[], %b::bytea[], %b::bytea[]
    ) AS v(user_id, workout_id, device, seq, count, rr_count, t_first, t_last, data, rr)
)
INSERT INTO {SampleBatch._meta.db_table}
    (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
SELECT v.workout_id, v.device, v.seq, v.count, v.rr_count, v.t_first, v.t_last, v.data, v.rr, now()
FROM v JOIN {Workout._meta.db_table} w ON w.id = v.workout_id AND w.user_id = v.user_id
WHERE COALESCE((
    SELECT c.granted FROM {ConsentRecord._meta.db_table} c
    WHERE c.user_id = v.user_id AND c.purpose = 'health_data'
    ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
), false)
ON CONFLICT (workout_id, device, seq) DO NOTHING
RETURNING workout_id, device, seq
"""


def sample_batches_store_many(*, batches: list[PendingBatch]) -> list[bool | DomainError]:
    """Store validated batches of several users at once (the live ingest's group commit).

    Per batch, in order: True if stored now, False if it was stored before, or the
    :class:`DomainError` refusing it (not the user's workout, no consent); refused batches leave
    nothing behind and do not affect the others.
    """
    if not batches:
        return []
    if connection.vendor != "postgresql":
        return [_store_one(batch) for batch in batches]
    packs = [b.packed for b in batches]
    params = [
        [b.user_id for b in batches], [b.workout_id for b in batches],
        [b.device for b in batches], [b.seq for b in batches],
        [p.count for p in packs], [p.rr_count for p in packs],
        [float(p.t_first) for p in packs], [float(p.t_last) for p in packs],
        [p.data for p in packs], [p.rr for p in packs],
    ]  # fmt: skip
    with server_bound_cursor() as cursor:
        cursor.execute(_MANY_INSERT_SQL, params, prepare=True)
        inserted = {tuple(row) for row in cursor.fetchall()}
    results: list[bool | DomainError] = []
    for b in batches:
        address = (b.workout_id, b.device, b.seq)
        if address in inserted:
            inserted.discard(address)  # a batch sent twice in one flush: the second is a re-send
            results.append(True)
        else:
            results.append(_store_one(b))  # re-sent, or refused: find out which, one by one
    return results


def _store_one(batch: PendingBatch) -> bool | DomainError:
    user = User.objects.filter(pk=batch.user_id).first()
    if user is None:
        return NotFound("No such workout.")
    try:
        return workout_samples_store_packed(
            user=user,
            workout_id=batch.workout_id,
            device=batch.device,
            seq=batch.seq,
            packed=batch.packed,
        ).created
    except DomainError as exc:
        return exc


def workout_samples_store_packed(
    *, user: User, workout_id: int, device: str, seq: int, packed: PackedBatch
) -> BatchStored:
    """Store an already validated and packed batch (see :func:`workout_samples_store`)."""
    _require_consent(user)
    if not Workout.objects.filter(pk=workout_id, user=user).exists():
        raise NotFound("No such workout.")
    created = _batch_insert(workout_id=workout_id, device=device, seq=seq, packed=packed)
    return BatchStored(workout_id, device, seq, packed.count, created)


def sync_payload_digest(*, workout_id: int, body: bytes) -> str:
    """What makes two uploads "the same": the workout and the exact bytes sent."""
    return hashlib.sha256(f"{workout_id}\n".encode() + body).hexdigest()


def workout_samples_sync(
    *,
    user: User,
    workout_id: int,
    idempotency_key: str,
    body: bytes,
    device: object,
    seq: object,
    samples: object = None,
    columns: object = None,
) -> tuple[int, dict[str, Any]]:
    """The companion's upload: store a batch under a client-chosen key; return (status, body).

    The batch is ``samples`` (a list of sample objects) or ``columns`` (the columnar form). The
    same key with the same payload returns the first response again and stores nothing new; the
    same key with another payload is refused (422). Two racing identical uploads: the second
    insert of the key waits for the first transaction, then takes the replay path.
    """
    key = (idempotency_key or "").strip()
    if not 0 < len(key) <= 128:
        raise ValidationFailed(
            "Send an Idempotency-Key header (1-128 characters) naming this batch.",
            fields={"Idempotency-Key": ["Required, 1-128 characters."]},
        )
    digest = sync_payload_digest(workout_id=workout_id, body=body)
    device, seq = batch_address_validate(device=device, seq=seq)
    packed = samples_pack(samples=samples, columns=columns)
    response = {"workout_id": workout_id, "device": device, "seq": seq, "samples": packed.count}
    with transaction.atomic():
        # Batch first, key second, both in this transaction. A racing twin blocks on the first
        # unique insert until this commits, then finds the key taken and replays our response.
        if connection.vendor == "postgresql":
            created, key_stored = _sync_insert_postgresql(
                user=user, key=key, digest=digest, response=response, packed=packed
            )
        else:
            _require_consent(user)
            if not Workout.objects.filter(pk=workout_id, user=user).exists():
                raise NotFound("No such workout.")
            created = _batch_insert(workout_id=workout_id, device=device, seq=seq, packed=packed)
            key_stored = _idempotency_key_insert(
                user=user, key=key, digest=digest, status=201 if created else 200,
                response={**response, "stored": created},
            )  # fmt: skip
        if key_stored:
            return 201 if created else 200, {**response, "stored": created}
        existing = IdempotencyKey.objects.get(user=user, key=key)
        if existing.payload_hash != digest:
            # Raising rolls back the batch this request may just have stored.
            raise Unprocessable(
                "This Idempotency-Key was already used for a different batch; "
                "use a new key for new data.",
                code="idempotency_key_reused",
            )
        return existing.response_status, existing.response_body


# The whole sync write in one statement (one round trip): the consent and ownership checks, the
# batch, and the key with the response it got (which depends on whether the batch was new). Both
# inserts lean on their unique constraints; a refused upload inserts nothing.
_SYNC_SQL = f"""
WITH consent AS (
    SELECT COALESCE((
        SELECT c.granted FROM {ConsentRecord._meta.db_table} c
        WHERE c.user_id = %(user)s AND c.purpose = 'health_data'
        ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
    ), false) AS granted
), owned AS (
    SELECT w.id FROM {Workout._meta.db_table} w, consent
    WHERE w.id = %(workout)s AND w.user_id = %(user)s AND consent.granted
), batch AS (
    INSERT INTO {SampleBatch._meta.db_table}
        (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
    SELECT id, %(device)s, %(seq)s, %(count)s, %(rr_count)s, %(t_first)s, %(t_last)s,
           %(data)b, %(rr)b, now()
    FROM owned
    ON CONFLICT (workout_id, device, seq) DO NOTHING
    RETURNING id
), stored AS (
    SELECT EXISTS (SELECT FROM batch) AS created
), idempotency_key AS (
    INSERT INTO {IdempotencyKey._meta.db_table}
        (user_id, key, payload_hash, response_status, response_body, created_at)
    SELECT %(user)s, %(key)s, %(digest)s, CASE WHEN stored.created THEN 201 ELSE 200 END,
           %(response)s::jsonb || jsonb_build_object('stored', stored.created), now()
    FROM owned, stored
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING id
)
SELECT consent.granted, EXISTS (SELECT FROM owned), stored.created,
       EXISTS (SELECT FROM idempotency_key)
FROM consent, stored
"""


def _sync_insert_postgresql(
    *, user: User, key: str, digest: str, response: dict[str, Any], packed: PackedBatch
) -> tuple[bool, bool]:
    """(batch stored now, key stored now) for :func:`workout_samples_sync` on PostgreSQL."""
    with server_bound_cursor() as cursor:
        cursor.execute(
            _SYNC_SQL,
            {
                "user": user.pk, "workout": response["workout_id"], "device": response["device"],
                "seq": response["seq"], "count": packed.count, "rr_count": packed.rr_count,
                "t_first": packed.t_first, "t_last": packed.t_last, "data": packed.data,
                "rr": packed.rr, "key": key, "digest": digest,
                "response": orjson.dumps(response).decode(),
            },
        )  # fmt: skip
        row = cursor.fetchone()
    assert row is not None
    granted, owned, created, key_stored = row
    if not granted:
        raise ConsentRequired()
    if not owned:
        raise NotFound("No such workout.")
    return created, key_stored


def _idempotency_key_insert(
    *, user: User, key: str, digest: str, status: int, response: dict[str, Any]
) -> bool:
    """Record the key with its response; False when the key is already taken. (On PostgreSQL
    :data:`_SYNC_SQL` does this in the statement that stores the batch.)"""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                payload_hash=digest,
                response_status=status,
                response_body=response,
            )
    except IntegrityError:
        return False
    return True


def workout_create_with_samples(
    *,
    user: User,
    sport: str,
    indoor: bool,
    source: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    samples: list[dict[str, Any]],
    device: str = "file",
    pauses: Sequence[tuple[float, float]] | None = None,
    laps: Sequence[float] = (),
) -> Workout:
    """Store a whole recorded activity (a file import) as one finished workout, all or nothing.

    ``samples`` follow the shared sample format (``t`` required; ``rr`` a list of ms).
    ``pauses`` are the device timer's (stopped, restarted) pairs when the file has timer events
    (None: it says nothing), ``laps`` the start times of the laps after the first.
    """
    _require_consent(user)
    _validate_workout_fields(sport=sport, source=source, started_at=started_at, ended_at=ended_at)
    limit = settings.WELLVERSE_MAX_SAMPLES_PER_BATCH
    chunks = [samples[i : i + limit] for i in range(0, len(samples), limit)]
    packed = [samples_pack(samples=chunk) for chunk in chunks]
    with transaction.atomic():
        workout = Workout.objects.create(
            user=user,
            sport=sport,
            indoor=indoor,
            started_at=started_at,
            ended_at=ended_at,
            source=source,
            pauses=None if pauses is None else [[a, b] for a, b in pauses],
            laps=list(laps),
        )
        SampleBatch.objects.bulk_create(
            SampleBatch(
                workout=workout,
                device=device,
                seq=seq,
                count=p.count,
                rr_count=p.rr_count,
                t_first=p.t_first,
                t_last=p.t_last,
                data=p.data,
                rr=p.rr,
            )
            for seq, p in enumerate(packed, start=1)
        )
        # Finished through workout_finish, so whatever runs when a workout ends (scoring) runs
        # for recorded activities too; it also saves the merged series.
        return workout_finish(workout_id=workout.pk, ended_at=ended_at)


def workout_finish(
    *, workout_id: int, user: User | None = None, ended_at: dt.datetime | None = None
) -> Workout:
    """End a workout (once: finishing again changes nothing). ``user`` scopes the lookup."""
    with transaction.atomic():
        workouts = Workout.objects.select_for_update().defer(*SERIES_FIELDS)
        if user is not None:
            workouts = workouts.filter(user=user)
        workout = workouts.filter(pk=workout_id).first()
        if workout is None:
            raise NotFound("No such workout.")
        if workout.status == WorkoutStatus.FINISHED:
            return workout
        end = ended_at or _implicit_end(workout)
        if end < workout.started_at:
            raise ValidationFailed(
                "A workout cannot end before it starts.",
                fields={"ended_at": ["Before the start of the workout."]},
            )
        if problems := _end_problems(
            sport=workout.sport, started_at=workout.started_at, ended_at=end
        ):
            raise ValidationFailed("The workout cannot end then.", fields=problems)
        workout.ended_at = end
        workout.status = WorkoutStatus.FINISHED
        workout.save(update_fields=["ended_at", "status"])
        workout_series_save(workout_id=workout.pk)
        workouts_scoring_queue(workout_ids=[workout.pk])
    return workout


def _implicit_end(workout: Workout) -> dt.datetime:
    """Now, for a workout finished without an end time, unless it has run longer than its sport
    allows (a recording left open): then its last sample, or without samples its longest length."""
    now = timezone.now()
    longest = dt.timedelta(hours=MAX_DURATION_H.get(workout.sport, MAX_DURATION_H["other"]))
    if now - workout.started_at <= longest:
        return now
    last = SampleBatch.objects.filter(workout_id=workout.pk).aggregate(t=Max("t_last"))["t"]
    if last is not None:
        last_sample = dt.datetime.fromtimestamp(last, tz=dt.UTC)
        return max(workout.started_at, min(last_sample, workout.started_at + longest))
    return workout.started_at + longest


def workout_series_save(*, workout_id: int) -> None:
    """Save the merged series on the workout so loading it is one read (see Workout.series_*)."""
    with transaction.atomic():
        # Lock the workout so the batch count and the series saved with it belong together.
        Workout.objects.select_for_update().filter(pk=workout_id).first()
        batches = SampleBatch.objects.filter(workout_id=workout_id).count()
        data, rr = workout_series(workout=workout_id).to_bytes()
        Workout.objects.filter(pk=workout_id).update(
            series_batches=batches, series_data=data, series_rr=rr
        )


def workout_delete(*, user: User, workout_id: int) -> None:
    deleted, _ = Workout.objects.filter(pk=workout_id, user=user).delete()
    if not deleted:
        raise NotFound("No such workout.")
