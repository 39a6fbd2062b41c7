"""Writes for accounts, profiles, consent and tokens. Keyword-only, typed, and transport-free."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple, cast
from zoneinfo import available_timezones

import numpy as np
import orjson
import psycopg
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wellness import selectors
from wellness.classes import selectors as class_selectors
from wellness.core import privacy
from wellness.core.errors import (
    ConsentRequired,
    DomainError,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    ValidationFailed,
)
from wellness.core.revocations import REVOCATIONS_GROUP, revocation_message
from wellness.core.sql import rows_update
from wellness.core.transactions import (
    broadcast_many_on_commit,
    broadcast_on_commit,
    broadcasts_together,
    enqueue_on_commit,
)
from wellness.models import (
    AccessToken,
    BestEffort,
    BestEffortKind,
    ConsentPurpose,
    ConsentRecord,
    IdempotencyKey,
    Profile,
    Progress,
    SampleBatch,
    ScoreStatus,
    ScoringPending,
    Sport,
    StoredScore,
    TokenScope,
    User,
    Visibility,
    Workout,
    WorkoutSource,
    WorkoutStatus,
)
from wellness.people.tokens import token_generate
from wellness.scoring import engine, handoff, levels
from wellness.scoring.results import Athlete, UnscorableWorkout, WorkoutScore
from wellness.workouts.samples import (
    PackedBatch,
    SampleError,
    Series,
    pack_columns,
    pack_samples,
    series_from_bytes,
)

CURRENT_HEALTH_POLICY_VERSION = "2026-11"
MINIMUM_AGE_YEARS = 13


def user_group(user_id: int) -> str:
    """The channel-layer group of every notification socket of this user."""
    return f"user-{user_id}"


def user_sign_up(*, email: str, password: str, display_name: str = "") -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            "Enter a valid email address.", fields={"email": ["Enter a valid email address."]}
        ) from None
    display_name = (display_name or "").strip() or email.split("@", 1)[0]
    candidate = User(email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Choose a stronger password.", fields={"password": list(exc.messages)}
        ) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            Profile.objects.create(user=user, display_name=display_name[:60])
    except IntegrityError:
        raise ValidationFailed(
            "An account with this email address already exists.",
            fields={"email": ["An account with this email address already exists."]},
        ) from None
    return user


def _validate_profile_changes(changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "time_zone" in changes and changes["time_zone"] not in available_timezones():
        errors["time_zone"] = [f"Unknown time zone {changes['time_zone']!r}; use an IANA name."]
    birth_year = changes.get("birth_year")
    if birth_year is not None:
        this_year = timezone.now().year
        if birth_year > this_year - MINIMUM_AGE_YEARS:
            errors["birth_year"] = [f"Wellverse is for people aged {MINIMUM_AGE_YEARS} and over."]
    if (
        changes.get("visibility") == Visibility.PRIVATE
        and not (changes.get("pseudonym") or "").strip()
    ):
        errors["pseudonym"] = [
            "A private profile needs a pseudonym: the only name others will see."
        ]
    rest, peak = changes.get("resting_heart_rate"), changes.get("max_heart_rate")
    if rest is not None and peak is not None and rest >= peak:
        errors["resting_heart_rate"] = ["Resting heart rate must be below maximum heart rate."]
    if errors:
        raise ValidationFailed("Some profile values are not valid.", fields=errors)


def profile_update(*, user: User, changes: dict[str, Any]) -> Profile:
    """Apply validated field values; health values need consent, clearing them never does."""
    sets_health_data = any(
        changes.get(field) is not None for field in Profile.HEALTH_FIELDS if field in changes
    )
    if sets_health_data and not selectors.health_consent_active(user=user):
        raise ConsentRequired()
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=user)
        # Heart rates are checked against each other as they will be after the change.
        # Cross-field rules are checked on the profile as it will be after the change.
        _validate_profile_changes(
            {
                "resting_heart_rate": profile.resting_heart_rate,
                "max_heart_rate": profile.max_heart_rate,
                "visibility": profile.visibility,
                "pseudonym": profile.pseudonym,
            }
            | changes
        )
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save()
    return profile


def consent_grant(
    *, user: User, policy_version: str = CURRENT_HEALTH_POLICY_VERSION
) -> ConsentRecord:
    """Record consent to health-data processing. Granting again while granted records nothing new."""
    with transaction.atomic():
        # Serialise grant/withdraw per user so the newest record is always the one in force.
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = selectors.consent_current(user=user)
        if current is not None and current.granted and current.policy_version == policy_version:
            return current
        return ConsentRecord.objects.create(
            user=user,
            purpose=ConsentPurpose.HEALTH_DATA,
            granted=True,
            policy_version=policy_version,
        )


def consent_withdraw(*, user: User, erase_health_data: bool = False) -> ConsentRecord:
    """Stop accepting health data; optionally erase what is stored (in the background)."""
    from wellness.tasks import health_data_erase_task

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = selectors.consent_current(user=user)
        if current is not None and not current.granted:
            record = current
        else:
            record = ConsentRecord.objects.create(
                user=user,
                purpose=ConsentPurpose.HEALTH_DATA,
                granted=False,
                policy_version=current.policy_version if current else CURRENT_HEALTH_POLICY_VERSION,
            )
        if erase_health_data:
            enqueue_on_commit(health_data_erase_task, user.pk)
    return record


def health_data_erase(*, user_id: int) -> None:
    """Delete every piece of health data of this user, app by app. Idempotent."""
    with transaction.atomic():
        Profile.objects.filter(user_id=user_id).update(
            **dict.fromkeys(Profile.HEALTH_FIELDS), updated_at=timezone.now()
        )
        for eraser in privacy.health_data_erasers().values():
            eraser(user_id)


def access_token_create(
    *, user: User, name: str, scope: str = TokenScope.INGEST
) -> tuple[AccessToken, str]:
    """Create a token and return it with its secret, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the token a name, such as the device it is for."]
    if scope not in TokenScope.values:
        errors["scope"] = [f"Scope must be one of {', '.join(TokenScope.values)}."]
    if errors:
        raise ValidationFailed("The token could not be created.", fields=errors)
    new = token_generate()
    token = AccessToken.objects.create(
        user=user, name=name[:80], scope=scope, prefix=new.prefix, digest=new.digest
    )
    return token, new.raw


def access_token_revoke(*, user: User, token_id: int) -> AccessToken:
    """Revoke a token of this user and close every WebSocket that authenticated with it."""
    with transaction.atomic():
        token = AccessToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        broadcast_on_commit(REVOCATIONS_GROUP, revocation_message([token.pk]))
    return token


def access_token_touch(*, token: AccessToken) -> None:
    """Note that a token was used, at most once a minute so reads do not become writes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def account_delete(*, user: User, password: str) -> None:
    """Delete the account and, through cascades, everything it owns."""
    if not user.check_password(password or ""):
        raise ValidationFailed(
            "Confirm with your current password to delete your account.",
            fields={"password": ["The password is not correct."]},
        )
    token_ids = list(user.access_tokens.values_list("pk", flat=True))
    with transaction.atomic():
        if token_ids:
            broadcast_on_commit(REVOCATIONS_GROUP, revocation_message(token_ids))
        user.delete()


# --- Workouts and samples -------------------------------------------------------------------------
MAX_DEVICE_ID_LENGTH = 64
MAX_SEQ = 2**31 - 1


def workout_group(workout_id: int) -> str:
    """The channel-layer group of a workout's spectators (live values, at most once)."""
    return f"workout-{workout_id}"


def _require_consent(user: User) -> None:
    if not selectors.health_consent_active(user=user):
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
    if ended_at is not None and ended_at < started_at:
        errors["ended_at"] = ["A workout cannot end before it starts."]
    if errors:
        raise ValidationFailed("The workout is not valid.", fields=errors)


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


def batch_address_validate(*, device: Any, seq: Any) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    if not isinstance(device, str) or not 0 < len(device.strip()) <= MAX_DEVICE_ID_LENGTH:
        errors["device"] = [f"A stable device id of 1-{MAX_DEVICE_ID_LENGTH} characters."]
    if type(seq) is not int or not 1 <= seq <= MAX_SEQ:
        errors["seq"] = ["The batch sequence number: an integer from 1, one more per batch."]
    if errors:
        raise ValidationFailed("The batch is not valid.", fields=errors)
    return device.strip(), seq


def samples_pack(*, samples: Any = None, columns: Any = None) -> PackedBatch:
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


def _batch_length(values: Any) -> int:
    return len(values) if isinstance(values, list) else 0


@dataclass(frozen=True)
class BatchStored:
    workout_id: int
    device: str
    seq: int
    count: int
    created: bool  # False when this batch was already stored (a re-send)


def _server_bound_cursor() -> psycopg.Cursor[Any]:
    """A cursor on Django's PostgreSQL connection that binds parameters on the server, so packed
    batches go over the wire as they are (``%b``). Django's own cursors bind on the client, which
    escapes a 3,600-sample batch into half a megabyte of hex text first (~15 ms)."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    return psycopg.Cursor(raw)


_BATCH_INSERT_SQL = """
INSERT INTO wellness_samplebatch
    (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %b, %b, now())
ON CONFLICT (workout_id, device, seq) DO NOTHING
RETURNING id
"""


def _batch_insert(*, workout_id: int, device: str, seq: int, packed: PackedBatch) -> bool:
    """Store a batch unless its (workout, device, seq) is stored; True when this call stored it."""
    if connection.vendor == "postgresql":
        with _server_bound_cursor() as cursor:
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
    *, user: User, workout_id: int, device: Any, seq: Any, samples: Any
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
_MANY_INSERT_SQL = """
WITH v AS (
    SELECT * FROM unnest(
        %b::bigint[], %b::bigint[], %b::varchar[], %b::integer[], %b::integer[], %b::integer[],
        %b::float8[], %b::float8[], %b::bytea[], %b::bytea[]
    ) AS v(user_id, workout_id, device, seq, count, rr_count, t_first, t_last, data, rr)
)
INSERT INTO wellness_samplebatch
    (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
SELECT v.workout_id, v.device, v.seq, v.count, v.rr_count, v.t_first, v.t_last, v.data, v.rr, now()
FROM v JOIN wellness_workout w ON w.id = v.workout_id AND w.user_id = v.user_id
WHERE COALESCE((
    SELECT c.granted FROM wellness_consentrecord c
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
    with _server_bound_cursor() as cursor:
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
    device: Any,
    seq: Any,
    samples: Any = None,
    columns: Any = None,
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
_SYNC_SQL = """
WITH consent AS (
    SELECT COALESCE((
        SELECT c.granted FROM wellness_consentrecord c
        WHERE c.user_id = %(user)s AND c.purpose = 'health_data'
        ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1
    ), false) AS granted
), owned AS (
    SELECT w.id FROM wellness_workout w, consent
    WHERE w.id = %(workout)s AND w.user_id = %(user)s AND consent.granted
), batch AS (
    INSERT INTO wellness_samplebatch
        (workout_id, device, seq, count, rr_count, t_first, t_last, data, rr, received_at)
    SELECT id, %(device)s, %(seq)s, %(count)s, %(rr_count)s, %(t_first)s, %(t_last)s,
           %(data)b, %(rr)b, now()
    FROM owned
    ON CONFLICT (workout_id, device, seq) DO NOTHING
    RETURNING id
), stored AS (
    SELECT EXISTS (SELECT FROM batch) AS created
), idempotency_key AS (
    INSERT INTO wellness_idempotencykey
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
    with _server_bound_cursor() as cursor:
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
        workouts = Workout.objects.select_for_update().defer(*selectors.SERIES_FIELDS)
        if user is not None:
            workouts = workouts.filter(user=user)
        workout = workouts.filter(pk=workout_id).first()
        if workout is None:
            raise NotFound("No such workout.")
        if workout.status == WorkoutStatus.FINISHED:
            return workout
        end = ended_at or timezone.now()
        if end < workout.started_at:
            raise ValidationFailed(
                "A workout cannot end before it starts.",
                fields={"ended_at": ["Before the start of the workout."]},
            )
        workout.ended_at = end
        workout.status = WorkoutStatus.FINISHED
        workout.save(update_fields=["ended_at", "status"])
        workout_series_save(workout_id=workout.pk)
        workouts_scoring_queue(workout_ids=[workout.pk])
    return workout


def workout_series_save(*, workout_id: int) -> None:
    """Save the merged series on the workout so loading it is one read (see Workout.series_*)."""
    with transaction.atomic():
        # Lock the workout so the batch count and the series saved with it belong together.
        Workout.objects.select_for_update().filter(pk=workout_id).first()
        batches = SampleBatch.objects.filter(workout_id=workout_id).count()
        data, rr = selectors.workout_series(workout=workout_id).to_bytes()
        Workout.objects.filter(pk=workout_id).update(
            series_batches=batches, series_data=data, series_rr=rr
        )


def workout_delete(*, user: User, workout_id: int) -> None:
    deleted, _ = Workout.objects.filter(pk=workout_id, user=user).delete()
    if not deleted:
        raise NotFound("No such workout.")


def workouts_erase(user_id: int) -> None:
    """Health-data eraser: every workout of the user, with its samples (cascade). Idempotent."""
    Workout.objects.filter(user_id=user_id).delete()
    IdempotencyKey.objects.filter(user_id=user_id).delete()


def scores_erase(user_id: int) -> None:
    """Health-data eraser: stored scores, best efforts, pending markers and the XP/level derived
    from them.

    Idempotent. XP is the sum of scored workouts' points, so with the workouts gone it goes too.
    """
    StoredScore.objects.filter(workout__user_id=user_id).delete()
    BestEffort.objects.filter(user_id=user_id).delete()
    ScoringPending.objects.filter(workout__user_id=user_id).delete()
    Progress.objects.filter(user_id=user_id).delete()


# --- Scoring lifecycle ----------------------------------------------------------------------------
# Scoring a one-hour workout takes ~0.1 ms and a Celery task costs ~0.8 ms, so finished workouts are
# marked as pending and drained by one task in chunks rather than queued one task each.
SCORING_CHUNKS_PER_TASK = 20  # then a fresh task continues: each task stays well inside its limits
_DRAIN_QUEUED_KEY = "scoring:drain-queued"


def workouts_scoring_queue(*, workout_ids: Sequence[int]) -> None:
    """Mark finished workouts as waiting to be scored; a drain task runs after the commit."""
    ScoringPending.objects.bulk_create(
        [ScoringPending(workout_id=pk) for pk in workout_ids], ignore_conflicts=True
    )
    transaction.on_commit(scoring_drain_schedule)


def scoring_drain_schedule() -> None:
    """Queue one drain task unless one is already queued and not yet started.

    ``cache.add`` is an atomic SET NX on Redis. The task clears the key before it reads the pending
    markers, so a marker committed after that read always finds the key free and queues a new task.
    The key expires with the broker's visibility timeout, after which a lost task is redelivered.
    """
    from wellness.tasks import workouts_score_pending_task

    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 600)
    if cache.add(_DRAIN_QUEUED_KEY, 1, timeout=timeout):
        workouts_score_pending_task.delay()


def workouts_score_pending(*, chunk: int | None = None, max_chunks: int | None = None) -> int:
    """Score waiting workouts a chunk per transaction; return how many were scored.

    Each chunk's markers are locked (``SKIP LOCKED``: two workers take different chunks) and
    deleted in the transaction that stores their scores, so a worker killed mid-chunk leaves the
    chunk waiting, untouched, for the redelivered task.
    """
    cache.delete(_DRAIN_QUEUED_KEY)
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
    if ScoringPending.objects.exists():
        scoring_drain_schedule()
    return done


def _athlete(profile: Profile | None) -> Athlete:
    if profile is None:
        return Athlete()
    return _athlete_from(
        birth_year=profile.birth_year,
        sex=profile.sex,
        weight_kg=profile.weight_kg,
        resting_hr=profile.resting_heart_rate,
        max_hr=profile.max_heart_rate,
        lthr=profile.lactate_threshold_heart_rate,
    )


def _athlete_from(
    *,
    birth_year: int | None,
    sex: str | None,
    weight_kg: Any,
    resting_hr: Any,
    max_hr: Any,
    lthr: Any,
) -> Athlete:
    """The athlete of a profile's stored values (all None: no profile)."""

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return Athlete(
        age=number(selectors.age_years(birth_year)),
        sex=sex or None,
        weight_kg=number(weight_kg),
        resting_hr=number(resting_hr),
        max_hr=number(max_hr),
        lthr=number(lthr),
    )


# The saved series of many workouts in one query, where still current (see Workout.series_*).
_SAVED_SERIES_SQL = """
SELECT w.id, w.series_data, w.series_rr FROM wellness_workout w
WHERE w.id = ANY(%s) AND w.series_data IS NOT NULL AND w.series_batches =
      (SELECT count(*) FROM wellness_samplebatch b WHERE b.workout_id = w.id)
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


class _Locked(NamedTuple):
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
    weight_kg: Any
    resting_hr: Any
    max_hr: Any
    lthr: Any
    pauses: list[list[float]] | None


_LOCKED_FIELDS = (
    "pk", "user_id", "sport", "indoor", "started_at", "ended_at", "source",
    "user__profile__birth_year",
    "user__profile__sex", "user__profile__weight_kg", "user__profile__resting_heart_rate",
    "user__profile__max_heart_rate", "user__profile__lactate_threshold_heart_rate", "pauses",
)  # fmt: skip


def _score_one(workout: _Locked, series: Series) -> WorkoutScore | UnscorableWorkout:
    """Score one workout from its series; no query (it runs while the saved series stream in)."""
    try:
        athlete = _athlete_from(
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


class _Previous(NamedTuple):
    """What scoring again keeps from, or compares with, a workout's stored score."""

    points: int
    accepted_by_id: int | None
    accepted_at: dt.datetime | None


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
            _Locked(*row)
            for row in Workout.objects.select_for_update(of=("self",))
            .filter(pk__any_of=list(workout_ids), status=WorkoutStatus.FINISHED)
            .order_by("pk")
            .values_list(*_LOCKED_FIELDS)
        ]
        # Each saved series is scored as it arrives, then those without one (recorded live and
        # not yet saved, or changed since) are merged from their batches.
        by_pk = {w.pk: w for w in workouts}
        with contextlib.closing(_saved_series(list(by_pk))) as stream:
            outcomes = {pk: _score_one(by_pk[pk], series) for pk, series in stream}
        for workout in workouts:
            if workout.pk not in outcomes:
                series = selectors.workout_series(workout=workout.pk)
                outcomes[workout.pk] = _score_one(workout, series)
        # The previous scores as plain rows of the four values needed (not model instances, whose
        # metrics JSON would be decoded only to be replaced).
        before = {
            row[0]: _Previous(*row[1:])
            for row in StoredScore.objects.select_for_update()
            .filter(workout_id__any_of=[w.pk for w in workouts])
            .values_list("workout_id", "points", "accepted_by_id", "accepted_at")
        }
        # A class of another sport than yoga (HIIT) counts its breathing segments as mindful.
        class_mindful = class_selectors.class_mindful_minutes(
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
            old = before.get(workout.pk)
            row = StoredScore(
                workout_id=workout.pk,
                scored_at=now,
                accepted_by_id=old.accepted_by_id if old else None,
                accepted_at=old.accepted_at if old else None,
            )
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
                row.counts_for_leaderboards = (
                    outcome.counts_for_leaderboards or row.accepted_at is not None
                )
            change = row.points - (old.points if old else 0)
            if change:
                xp_change[workout.user_id] = xp_change.get(workout.user_id, 0) + change
            rows.append(row)
        _scores_store(rows)
        _progress_add(xp_change)
        accepted = {row.workout_id for row in rows if row.accepted_at is not None}
        _best_efforts_store(workouts=workouts, results=results, accepted=accepted)
        _hand_off(workouts=workouts, results=results, accepted=accepted)
    return rows


# What a re-score replaces on a stored score (acceptance stays as an organizer left it).
_SCORE_UPDATE_FIELDS = (
    "status", "metrics", "flags", "points", "training_load", "counts_for_leaderboards", "reason",
    "reason_code", "scored_at",
)  # fmt: skip

# One statement with every row as an array parameter, bound on the server in binary: Django's
# ``bulk_create`` spent ~0.2 s of a 200-workout chunk building and escaping its UNNEST arrays.
_SCORES_UPSERT_SQL = f"""
INSERT INTO wellness_storedscore
    (workout_id, status, metrics, flags, points, training_load, counts_for_leaderboards, reason,
     reason_code, accepted_by_id, accepted_at, scored_at)
SELECT v.workout_id, v.status, v.metrics::jsonb, v.flags::jsonb, v.points, v.training_load,
       v.counts, v.reason, v.reason_code, v.accepted_by_id, v.accepted_at, v.scored_at
FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[], %b::bigint[], %b::float8[],
            %b::bool[], %b::text[], %b::text[], %b::bigint[], %b::timestamptz[],
            %b::timestamptz[])
     AS v(workout_id, status, metrics, flags, points, training_load, counts, reason, reason_code,
          accepted_by_id, accepted_at, scored_at)
ON CONFLICT (workout_id) DO UPDATE SET
    {", ".join(f"{name} = excluded.{name}" for name in _SCORE_UPDATE_FIELDS)}
"""


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _best_efforts_store(
    *, workouts: Sequence[_Locked], results: dict[int, WorkoutScore], accepted: set[int]
) -> None:
    """Replace the chunk's best efforts: those of workouts that count for leaderboards (or an
    organizer accepted); a flagged workout's implausible data sets no personal record."""
    BestEffort.objects.filter(workout_id__any_of=[w.pk for w in workouts]).delete()
    efforts: list[BestEffort] = []
    for workout in workouts:
        score = results.get(workout.pk)
        if score is None or not (score.counts_for_leaderboards or workout.pk in accepted):
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


def _scores_store(rows: Sequence[StoredScore]) -> None:
    """Insert or replace these scores (one row per workout), keeping a stored acceptance."""
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
    with _server_bound_cursor() as cursor:
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
                [r.accepted_by_id for r in rows],
                [r.accepted_at for r in rows],
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
            level_ups.append((user_group(row.user_id), {"type": "notify", "event": event}))
    rows_update(
        Progress,
        key="user_id",
        fields=("xp", "level"),
        sql_type="INTEGER",
        rows=[(row.user_id, row.xp, row.level) for row in rows],
    )
    broadcast_many_on_commit(level_ups)


def _hand_off(
    *, workouts: Sequence[_Locked], results: dict[int, WorkoutScore], accepted: set[int]
) -> None:
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
                accepted=workout.pk in accepted,
            )
        )
    if scored:
        for _, receiver in handoff.receivers():
            receiver(scored=scored)


def workout_score_accept(*, workout_id: int, accepted_by: User) -> StoredScore | None:
    """An organizer accepts a flagged workout: it counts from now on and is handed over again.

    Callers check that ``accepted_by`` may accept it (challenges: the challenge's organizer).
    Accepting again changes nothing; a workout without a stored score (not scored yet, or
    deleted) has nothing to mark and returns None.
    """
    with transaction.atomic():
        # Workout first, then score: the order workouts_score locks them in (no deadlock).
        Workout.objects.select_for_update().filter(pk=workout_id).only("pk").first()
        stored = StoredScore.objects.select_for_update().filter(workout_id=workout_id).first()
        if stored is None:
            return None
        if stored.accepted_at is not None:
            return stored
        stored.accepted_by, stored.accepted_at = accepted_by, timezone.now()
        stored.save(update_fields=["accepted_by", "accepted_at"])
        (rescored,) = workouts_score(workout_ids=[workout_id])
    return rescored


def workout_live_effort(*, user_id: int, workout_id: int) -> levels.LiveEffort | None:
    """A live points/XP/level counter for the user's workout, starting from their XP so far.

    None for a workout that is not theirs or of a sport the formulas do not know. The caller
    feeds it each stored batch (``LiveEffort.feed``) and announces a level-up with
    :func:`live_level_event`.
    """
    return workout_live_efforts(pairs=[(user_id, workout_id)]).get((user_id, workout_id))


def workout_live_efforts(
    *, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], levels.LiveEffort | None]:
    """:func:`workout_live_effort` of many ``(user_id, workout_id)`` pairs in two queries."""
    wanted = set(pairs)
    # Values, not model instances: a connection storm asks for thousands at once, and building
    # a workout, its user and their profile for each held the GIL against the event loop.
    rows = Workout.objects.filter(pk__in={workout_id for _, workout_id in wanted}).values_list(
        "pk", "user_id", "sport", "indoor", "user__profile__pk",
        "user__profile__birth_year", "user__profile__sex", "user__profile__weight_kg",
        "user__profile__resting_heart_rate", "user__profile__max_heart_rate",
        "user__profile__lactate_threshold_heart_rate",
    )  # fmt: skip
    xp_of = dict(
        Progress.objects.filter(user_id__in={user_id for user_id, _ in wanted}).values_list(
            "user_id", "xp"
        )
    )
    efforts: dict[tuple[int, int], levels.LiveEffort | None] = dict.fromkeys(wanted)
    for row in rows:
        pk, user_id, sport, indoor, profile_pk = row[:5]
        birth_year, sex, weight_kg, resting_hr, max_hr, lthr = row[5:]
        key = (user_id, pk)
        if key not in wanted:
            continue  # not this user's workout
        try:
            athlete = (
                Athlete()
                if profile_pk is None
                else _athlete_from(
                    birth_year=birth_year,
                    sex=sex,
                    weight_kg=weight_kg,
                    resting_hr=resting_hr,
                    max_hr=max_hr,
                    lthr=lthr,
                )
            )
        except ValueError:
            athlete = Athlete()
        with contextlib.suppress(UnscorableWorkout):  # stays None
            efforts[key] = levels.LiveEffort(
                athlete=athlete,
                sport=sport,
                indoor=indoor,
                xp_before=xp_of.get(user_id) or 0,
            )
    return efforts


def live_level_event(*, workout_id: int, progress: levels.LiveProgress) -> dict[str, Any]:
    """The notification sent to the user's sockets when a live workout reaches a new level."""
    return {
        "type": "notify",
        "event": {
            "kind": "level",
            "live": True,
            "workout_id": workout_id,
            "level": progress.level,
            "xp": progress.xp,
            "points": progress.points,
            "next_level_xp": progress.next_level_xp,
        },
    }
