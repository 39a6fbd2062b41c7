"""Reads for accounts, profiles, consent and tokens; every query is scoped to one user."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import psycopg
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from wellness.core import privacy
from wellness.core.errors import NotFound, ValidationFailed
from wellness.models import (
    AccessToken,
    BestEffort,
    BestEffortKind,
    ConsentPurpose,
    ConsentRecord,
    Profile,
    Progress,
    SampleBatch,
    ScoreStatus,
    StoredScore,
    User,
    Visibility,
    Workout,
    WorkoutStatus,
)
from wellness.people.physiology import Estimate, effective_max_heart_rate
from wellness.people.tokens import token_digest, token_looks_valid
from wellness.scoring import best_efforts
from wellness.scoring.fitness import fitness_fatigue_form
from wellness.scoring.levels import level_for_xp, xp_for_level
from wellness.scoring.results import Flag, WorkoutScore
from wellness.workouts.samples import Series, merge_batches, series_from_bytes


def consent_current(*, user: User) -> ConsentRecord | None:
    return (
        ConsentRecord.objects.filter(user=user, purpose=ConsentPurpose.HEALTH_DATA)
        .order_by("-recorded_at", "-id")
        .first()
    )


def health_consent_active(*, user: User) -> bool:
    current = consent_current(user=user)
    return current is not None and current.granted


def health_consent_active_many(user_ids: list[int]) -> dict[int, bool]:
    """:func:`health_consent_active` of many users in one query (the newest record decides)."""
    newest = ConsentRecord.objects.filter(
        user=OuterRef("pk"), purpose=ConsentPurpose.HEALTH_DATA
    ).order_by("-recorded_at", "-id")
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(granted=Subquery(newest.values("granted")[:1]))
        .values_list("pk", "granted")
    )
    return {pk: granted is True for pk, granted in rows}


def consent_history(*, user: User) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(user=user).order_by("-recorded_at", "-id")


def profile_of(*, user: User) -> Profile:
    """Fresh from the database: a cached ``user.profile`` may predate a change in this request."""
    return Profile.objects.select_related("user").get(user=user)


def public_name(profile: Profile) -> str:
    """The name other people see: the display name, or the pseudonym of a private athlete."""
    if profile.visibility == Visibility.PRIVATE:
        return profile.pseudonym or f"Athlete {profile.user_id % 10_000:04d}"
    return profile.display_name


def profile_age_years(profile: Profile) -> int | None:
    """Age this year; a birth year is all we ask for, so this may be one year high."""
    return age_years(profile.birth_year)


def age_years(birth_year: int | None) -> int | None:
    """Age this year of someone born in ``birth_year`` (None: not known)."""
    if birth_year is None:
        return None
    return timezone.now().year - birth_year


def profile_max_heart_rate(profile: Profile) -> Estimate | None:
    return effective_max_heart_rate(profile.max_heart_rate, profile_age_years(profile))


def access_tokens_for(*, user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user)


def access_token_by_secret(raw: str) -> AccessToken | None:
    """The active token with this secret, with its user, or None."""
    if not token_looks_valid(raw):
        return None
    return (
        AccessToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def access_tokens_by_secrets(raws: list[str]) -> dict[str, AccessToken]:
    """:func:`access_token_by_secret` for many secrets in one query (sockets opening at once)."""
    digests = {token_digest(raw): raw for raw in raws if token_looks_valid(raw)}
    if not digests:
        return {}
    tokens = AccessToken.objects.select_related("user").filter(
        digest__in=digests, revoked_at__isnull=True, user__is_active=True
    )
    return {digests[token.digest]: token for token in tokens}


def user_export(*, user: User) -> dict[str, Any]:
    """Everything Wellverse stores about this person, as JSON-ready data (GDPR Art. 15 and 20)."""
    profile = profile_of(user=user)
    data: dict[str, Any] = {
        "account": {"email": user.email, "date_joined": user.date_joined.isoformat()},
        "profile": {
            "display_name": profile.display_name,
            "birth_year": profile.birth_year,
            "sex": profile.sex or None,
            "weight_kg": float(profile.weight_kg) if profile.weight_kg is not None else None,
            "resting_heart_rate": profile.resting_heart_rate,
            "max_heart_rate": profile.max_heart_rate,
            "lactate_threshold_heart_rate": profile.lactate_threshold_heart_rate,
            "units": profile.units,
            "time_zone": profile.time_zone,
            "visibility": profile.visibility,
            "pseudonym": profile.pseudonym,
            "show_in_live_worlds": profile.show_in_live_worlds,
        },
        "consent_records": [
            {
                "purpose": r.purpose,
                "granted": r.granted,
                "policy_version": r.policy_version,
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in consent_history(user=user)
        ],
        "access_tokens": [
            {
                "name": t.name,
                "scope": t.scope,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in access_tokens_for(user=user)
        ],
    }
    for section, exporter in privacy.exporters().items():
        data[section] = exporter(user)
    return data


# --- Workouts and samples -------------------------------------------------------------------------
# The saved series can be megabytes; it is read only by workout_series.
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
_SERIES_SQL = """
SELECT string_agg(data, ''::bytea), string_agg(int4send(count), ''::bytea),
       string_agg(rr, ''::bytea), string_agg(int4send(rr_count), ''::bytea)
FROM (
    SELECT data, count, rr, rr_count FROM wellness_samplebatch
    WHERE workout_id = %s ORDER BY device COLLATE "C", seq
) AS batches
"""
_INT4 = np.dtype(">i4")


_CACHED_SERIES_SQL = """
SELECT w.series_data, w.series_rr FROM wellness_workout w
WHERE w.id = %s AND w.series_batches =
      (SELECT count(*) FROM wellness_samplebatch b WHERE b.workout_id = w.id)
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


def workouts_export(user: User) -> list[dict[str, Any]]:
    """Privacy export: a summary of every workout (samples download per workout via the API)."""
    return [
        {
            "id": w.pk,
            "sport": w.sport,
            "indoor": w.indoor,
            "source": w.source,
            "status": w.status,
            "started_at": w.started_at.isoformat(),
            "ended_at": w.ended_at.isoformat() if w.ended_at else None,
            "samples": workout_sample_count(workout=w),
        }
        for w in workouts_for(user=user)
    ]


# --- Scores and progress --------------------------------------------------------------------------
def workout_score_view(*, user: User, workout_id: int) -> dict[str, Any]:
    """The user's workout score: every metric with its explanation, flags and points.

    ``status`` is ``pending`` until scored, then ``scored`` or ``unscorable`` (with ``reason``).
    """
    workout = workout_of(user=user, workout_id=workout_id)
    stored = StoredScore.objects.filter(workout_id=workout.pk).first()
    if stored is None:
        return _class_part_added({"workout_id": workout.pk, "status": "pending"})
    view: dict[str, Any] = {
        "workout_id": workout.pk,
        "status": stored.status,
        "reason": stored.reason,
        "reason_code": stored.reason_code,
        "points": stored.points,
        "counts_for_leaderboards": stored.counts_for_leaderboards,
        "flags": stored.flags,
        "accepted_at": stored.accepted_at,
        "scored_at": stored.scored_at,
        "metrics": stored.metrics,
        "explanations": {},
    }
    if stored.status == ScoreStatus.SCORED:
        # Explanations are rendered from the stored numbers when asked for (scoring.SCORING.md).
        values: dict[str, Any] = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in stored.metrics.items()
        }
        flags = tuple(Flag(f["code"], f["reason"]) for f in stored.flags)
        view["explanations"] = WorkoutScore(**values, flags=flags).explain()
        view["records"] = workout_records(workout_id=workout.pk)
    return _class_part_added(view)


def _class_part_added(view: dict[str, Any]) -> dict[str, Any]:
    """A workout taken in a class also shows the class's own metrics (time in the intended zone
    per segment, HRV at the start and end, relaxation) and their explanations. One explicit call;
    imported here because the classes app imports this module."""
    from wellness.classes.selectors import workout_class_part

    part = workout_class_part(workout_id=view["workout_id"])
    if part is None:
        return view
    return view | {
        "class": part["class"],
        "explanations": view.get("explanations", {}) | part["explanations"],
    }


def progress_of(*, user: User) -> dict[str, int]:
    """Lifetime XP and level, and the XP the next level needs."""
    xp = Progress.objects.filter(user=user).values_list("xp", flat=True).first() or 0
    level = level_for_xp(xp)
    return {
        "xp": xp,
        "level": level,
        "level_xp": xp_for_level(level),
        "next_level_xp": xp_for_level(level + 1),
    }


def personal_records(*, user: User) -> list[dict[str, Any]]:
    """The person's best effort per sport, kind and name (fastest time, highest power), with the
    workout it came from; ordered by sport, kind and the effort's length."""
    best: dict[tuple[str, str, str], BestEffort] = {}
    efforts = BestEffort.objects.filter(user=user).order_by("achieved_at", "workout_id")
    for effort in efforts:
        key = (effort.sport, effort.kind, effort.name)
        held = best.get(key)
        better = held is None or (
            effort.value < held.value
            if effort.kind == BestEffortKind.TIME
            else effort.value > held.value
        )
        if better:
            best[key] = effort
    return [
        {
            "sport": e.sport,
            "kind": e.kind,
            "name": e.name,
            "value": e.value,
            "workout_id": e.workout_id,
            "achieved_at": e.achieved_at.isoformat(),
        }
        for e in sorted(best.values(), key=_record_order)
    ]


def _record_order(effort: BestEffort) -> tuple[str, str, float]:
    length = (
        best_efforts.DISTANCES_BY_SPORT.get(effort.sport, {}).get(effort.name, 0.0)
        if effort.kind == BestEffortKind.TIME
        else best_efforts.RIDE_POWER_WINDOWS.get(effort.name, 0)
    )
    return (effort.sport, effort.kind, float(length))


def workout_records(*, workout_id: int) -> list[dict[str, Any]]:
    """A workout's best efforts, each marked ``record`` when it is its person's best to date
    (an earlier workout's equal effort keeps the record)."""
    efforts = list(BestEffort.objects.filter(workout_id=workout_id))
    if not efforts:
        return []
    holders = {
        (r["sport"], r["kind"], r["name"]): r["workout_id"]
        for r in personal_records(user=efforts[0].user)
    }
    return [
        {
            "kind": e.kind,
            "name": e.name,
            "value": e.value,
            "record": holders.get((e.sport, e.kind, e.name)) == workout_id,
        }
        for e in sorted(efforts, key=_record_order)
    ]


def scores_export(user: User) -> dict[str, Any]:
    """Privacy export: lifetime XP and level, personal records, and every workout's score."""
    return {
        "progress": progress_of(user=user),
        "personal_records": personal_records(user=user),
        "scores": [
            {
                "workout_id": s.workout_id,
                "status": s.status,
                "reason": s.reason,
                "reason_code": s.reason_code,
                "points": s.points,
                "training_load": s.training_load,
                "counts_for_leaderboards": s.counts_for_leaderboards,
                "flags": s.flags,
                "metrics": s.metrics,
                "accepted_at": s.accepted_at.isoformat() if s.accepted_at else None,
                "scored_at": s.scored_at.isoformat(),
            }
            for s in StoredScore.objects.filter(workout__user=user).order_by("workout_id")
        ],
    }


def performance_series(*, user: User, days: int, today: dt.date | None = None) -> dict[str, Any]:
    """Daily training load and fitness (CTL), fatigue (ATL) and form (TSB) for the last ``days``.

    Days are the user's local dates of the workouts' starts; the series is computed from the first
    scored workout so that fitness carries its whole history into the window shown.
    """
    zone = ZoneInfo(profile_of(user=user).time_zone or "UTC")
    today = today or timezone.now().astimezone(zone).date()
    first_shown = today - dt.timedelta(days=days - 1)
    load: dict[dt.date, float] = {}
    rows = StoredScore.objects.filter(
        workout__user=user, status=ScoreStatus.SCORED, workout__started_at__date__lte=today
    ).values_list("workout__started_at", "training_load")
    for started_at, training_load in rows:
        day = started_at.astimezone(zone).date()
        load[day] = load.get(day, 0.0) + training_load
    start = min([first_shown, *load])
    span = [start + dt.timedelta(days=i) for i in range((today - start).days + 1)]
    series = fitness_fatigue_form([load.get(day, 0.0) for day in span])
    shown = len(span) - days
    return {
        "dates": [day.isoformat() for day in span[shown:]],
        "load": [round(load.get(day, 0.0), 1) for day in span[shown:]],
        "fitness": [round(v, 1) for v in series.fitness[shown:]],
        "fatigue": [round(v, 1) for v in series.fatigue[shown:]],
        "form": [round(v, 1) for v in series.form[shown:]],
    }


def workouts_to_rescore(*, email: str | None = None, since: dt.date | None = None) -> list[int]:
    """Ids of finished workouts, optionally of one person and from a date (UTC) on."""
    workouts = Workout.objects.filter(status=WorkoutStatus.FINISHED)
    if email is not None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise ValidationFailed(
                f"No account has the email address {email!r}.", fields={"user": ["Unknown."]}
            )
        workouts = workouts.filter(user=user)
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        workouts = workouts.filter(started_at__gte=start)
    return list(workouts.order_by("pk").values_list("pk", flat=True))
