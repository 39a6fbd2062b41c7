"""Activity files in and out of stored workouts: import (FIT, GPX, TCX, CSV) and export.

Parsing and writing live in the Django-free ``devices.activity_files``; this module adds the
person: consent, ownership, size limits and storage through ``wellness.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from devices.activity_files import (
    EXPORT_FORMATS,
    ActivityFileInvalid,
    ActivitySummary,
    ExportedFile,
    export_activity,
    parse_activity,
)
from wellness.core.errors import ConsentRequired, PayloadTooLarge, ValidationFailed
from wellness.people.models import User
from wellness.people.selectors import health_consent_active
from wellness.scoring.track import gap_pauses
from wellness.workouts.models import Workout, WorkoutSource
from wellness.workouts.samples import MAX_RR_PER_SAMPLE
from wellness.workouts.selectors import workout_of, workout_series
from wellness.workouts.services import workout_create_with_samples


def import_max_bytes() -> int:
    """The largest activity file accepted: a long FIT file is a few MB, so 32 MB is generous."""
    return settings.WELLVERSE_IMPORT_MAX_BYTES


def import_size_check(*, size: int) -> None:
    limit = import_max_bytes()
    if size > limit:
        raise PayloadTooLarge(
            f"An activity file may be at most {limit:,} bytes; this one has {size:,}."
        )


class ImportSummary(ActivitySummary):
    workout_id: int


@dataclass(frozen=True)
class ImportedWorkout:
    workout: Workout
    summary: ImportSummary


def workout_import(*, user: User, data: bytes, filename: str) -> ImportedWorkout:
    """Store an activity file as one finished workout (all or nothing) and finish it through
    ``workout_finish``, so whatever runs when a workout ends runs for imports too."""
    # Consent first: a person without consent learns that, not what is wrong with their file.
    if not health_consent_active(user=user):
        raise ConsentRequired()
    import_size_check(size=len(data))
    activity = parse_activity(data, filename)
    with transaction.atomic():
        workout = workout_create_with_samples(
            user=user,
            sport=activity.sport,
            indoor=activity.indoor,
            source=WorkoutSource.FILE,
            started_at=activity.started_at,
            ended_at=activity.ended_at,
            samples=rr_spread(activity.samples(), cap=MAX_RR_PER_SAMPLE),
            pauses=activity.pauses if activity.timer else None,
            laps=activity.laps,
        )
    summary = ImportSummary(workout_id=workout.pk, **activity.summary())
    return ImportedWorkout(workout=workout, summary=summary)


def rr_spread(samples: list[dict[str, Any]], *, cap: int) -> list[dict[str, Any]]:
    """Give no sample more than ``cap`` RR intervals, keeping every interval and their order.

    A device with "smart recording" writes a record every few seconds, and FIT ``hrv`` messages
    after the last record belong to it, so a file sample may carry more beats than a live one
    may. The excess moves to the following samples (at the end, to the preceding ones): an
    interval's sample shifts by a record or two, the RR series scoring reads is unchanged.
    """
    counts = [len(s.get("rr") or ()) for s in samples]
    if all(c <= cap for c in counts):
        return samples
    total = sum(counts)
    if total > cap * len(samples):
        raise ActivityFileInvalid(
            f"The file holds {total:,} heartbeat intervals for {len(samples):,} records, "
            "more than Wellverse can attach to them."
        )
    spread, carry = [], 0
    for count in counts:
        take = min(cap, count + carry)
        carry = count + carry - take
        spread.append(take)
    for i in range(len(spread) - 1, -1, -1):
        take = min(cap - spread[i], carry)
        spread[i] += take
        carry -= take
    intervals = [rr for s in samples for rr in (s.get("rr") or ())]
    result, start = [], 0
    for sample, count in zip(samples, spread, strict=True):
        sample = {k: v for k, v in sample.items() if k != "rr"}
        if count:
            sample["rr"] = intervals[start : start + count]
        start += count
        result.append(sample)
    return result


def export_format_validate(*, fmt: str) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed(
            f"'{fmt}' is not an export format: choose one of {', '.join(EXPORT_FORMATS)}.",
            code="invalid_export_format",
        )
    return fmt


def workout_export(*, user: User, workout_id: int, fmt: str) -> tuple[Workout, ExportedFile]:
    """The user's workout as a FIT, GPX or CSV file; someone else's workout is not found."""
    fmt = export_format_validate(fmt=fmt)
    workout = workout_of(user=user, workout_id=workout_id)
    series = workout_series(workout=workout)
    frame = series.frame()
    if len(frame) == 0:
        raise ValidationFailed(
            "This workout has no samples yet, so there is nothing to export.",
            code="nothing_to_export",
        )
    rr = series.rr
    # A recording without timer events exports the gap rule's pauses as timer pauses, so the
    # file is scored as the workout was.
    pauses = (
        [(a, b) for a, b in workout.pauses]
        if workout.pauses is not None
        else gap_pauses(frame["t"].to_numpy())
    )
    exported = export_activity(
        fmt,
        frame,
        sport=workout.sport,
        started_at=workout.started_at,
        indoor=workout.indoor,
        rr=rr[:, 1] if len(rr) else None,
        rr_t=rr[:, 0] if len(rr) else None,
        ended_at=workout.ended_at,
        pauses=pauses,
        laps=workout.laps or (),
    )
    return workout, exported


def export_filename(*, workout: Workout, exported: ExportedFile) -> str:
    stamp = workout.started_at.strftime("%Y%m%dT%H%M%SZ")
    return f"wellverse-{workout.sport}-{stamp}-{workout.pk}{exported.extension}"
