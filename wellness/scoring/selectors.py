"""Reads for scores and progress: the score view, lifetime progress, fitness over time, what to rescore."""

from __future__ import annotations

import datetime as dt
from typing import Any, Required, TypedDict, cast
from zoneinfo import ZoneInfo

from django.utils import timezone

from wellness.core.errors import ValidationFailed
from wellness.people.models import (
    User,
)
from wellness.people.selectors import profile_of
from wellness.scoring import best_efforts, contributions
from wellness.scoring.fitness import fitness_fatigue_form
from wellness.scoring.levels import level_for_xp, xp_for_level
from wellness.scoring.models import (
    BestEffort,
    BestEffortKind,
    Progress,
    ScoreStatus,
    ScoringPending,
    StoredScore,
)
from wellness.scoring.results import Flag, WorkoutScore
from wellness.workouts.models import Workout, WorkoutStatus
from wellness.workouts.selectors import workout_of


class ScoreFlag(TypedDict):
    code: str
    reason: str


class ScoreView(TypedDict, total=False):
    """A workout's score as the API shows it; features may add keys of their own
    (:mod:`wellness.scoring.contributions`), e.g. ``class`` for a workout taken in a class."""

    workout_id: Required[int]
    status: Required[str]  # "pending", then a ScoreStatus
    reason: str
    reason_code: str
    points: int
    counts_for_leaderboards: bool
    flags: list[ScoreFlag]
    scored_at: dt.datetime
    metrics: dict[str, Any]  # stored JSON: WorkoutScore.as_dict() without the explanations
    explanations: dict[str, str]
    records: list[BestEffortView]


class BestEffortView(TypedDict):
    kind: str  # "time" or "power"
    name: str
    value: float
    record: bool  # the person's best to date


class PersonalRecord(TypedDict):
    sport: str
    kind: str  # "time" or "power"
    name: str
    value: float
    workout_id: int
    achieved_at: str  # ISO 8601


class LevelProgress(TypedDict):
    xp: int
    level: int
    level_xp: int
    next_level_xp: int


class PerformanceSeries(TypedDict):
    """Parallel lists, one value a day, oldest first."""

    dates: list[str]
    load: list[float]
    fitness: list[float]
    fatigue: list[float]
    form: list[float]


def workout_score_view(*, user: User, workout_id: int) -> ScoreView:
    """The user's workout score: every metric with its explanation, flags and points.

    ``status`` is ``pending`` until scored, then ``scored`` or ``unscorable`` (with ``reason``).
    """
    workout = workout_of(user=user, workout_id=workout_id)
    stored = StoredScore.objects.filter(workout_id=workout.pk).first()
    if stored is None:
        return _contributions_added({"workout_id": workout.pk, "status": "pending"})
    view: ScoreView = {
        "workout_id": workout.pk,
        "status": stored.status,
        "reason": stored.reason,
        "reason_code": stored.reason_code,
        "points": stored.points,
        "counts_for_leaderboards": stored.counts_for_leaderboards,
        "flags": stored.flags,
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
    return _contributions_added(view)


def _contributions_added(view: ScoreView) -> ScoreView:
    """What features add to the view (a class's own metrics, with their explanations)."""
    for part in contributions.score_view_parts(workout_id=view["workout_id"]):
        extra = part.get("explanations")
        explanations = view.get("explanations", {}) | (extra if isinstance(extra, dict) else {})
        # A TypedDict value may carry more keys than it names: the features' own.
        view = cast(ScoreView, {**view, **part, "explanations": explanations})
    return view


def personal_records(*, user: User) -> list[PersonalRecord]:
    """The person's best effort per sport, kind and name (fastest time, highest power), with the
    workout it came from; ordered by sport, kind and the effort's length. An earlier workout's
    equal effort keeps the record."""
    best: dict[tuple[str, str, str], BestEffort] = {}
    for effort in BestEffort.objects.filter(user=user).order_by("achieved_at", "workout_id"):
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
        PersonalRecord(
            sport=e.sport,
            kind=e.kind,
            name=e.name,
            value=e.value,
            workout_id=e.workout_id,
            achieved_at=e.achieved_at.isoformat(),
        )
        for e in sorted(best.values(), key=_record_order)
    ]


def _record_order(effort: BestEffort) -> tuple[str, str, float]:
    length = (
        best_efforts.DISTANCES_BY_SPORT.get(effort.sport, {}).get(effort.name, 0.0)
        if effort.kind == BestEffortKind.TIME
        else best_efforts.RIDE_POWER_WINDOWS.get(effort.name, 0)
    )
    return (effort.sport, effort.kind, float(length))


def workout_records(*, workout_id: int) -> list[BestEffortView]:
    """A workout's best efforts, each marked ``record`` when it is its person's best to date."""
    efforts = list(BestEffort.objects.filter(workout_id=workout_id).select_related("user"))
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


def progress_of(*, user: User) -> LevelProgress:
    """Lifetime XP and level, and the XP the next level needs."""
    xp = Progress.objects.filter(user=user).values_list("xp", flat=True).first() or 0
    level = level_for_xp(xp)
    return {
        "xp": xp,
        "level": level,
        "level_xp": xp_for_level(level),
        "next_level_xp": xp_for_level(level + 1),
    }


def performance_series(*, user: User, days: int, today: dt.date | None = None) -> PerformanceSeries:
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


def scoring_pending_overdue(*, queued_before: dt.datetime) -> bool:
    """Whether a finished workout has waited to be scored since before ``queued_before``."""
    return ScoringPending.objects.filter(queued_at__lt=queued_before).exists()
