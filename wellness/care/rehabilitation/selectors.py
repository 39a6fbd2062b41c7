"""Reads for rehabilitation: the exercise library as a person may see it.

Shipped exercises are visible to everyone; an organisation's custom exercises only to the
clinicians acting for that organisation (verified, two factors) and to the patients whose programs
use them. A program is read by its patient, or by a clinician through the care app's audited path:
verified, two factors, an active relationship and a live REHABILITATION grant. Anything else is a
404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from wellness.care.alerts import Alert as CareAlert
from wellness.care.models import (
    CareRelationship,
    ClinicianProfile,
    Exercise,
    GrantCategory,
    Profession,
    ProgramStatus,
    RehabExerciseLog,
    RehabProgram,
    RehabProgramVersion,
    RehabSession,
    RehabSessionStatus,
    RelationshipStatus,
)
from wellness.care.rehabilitation import plan, summary
from wellness.care.rehabilitation.safety import CeilingUnavailable, Physiology, ceiling_bpm
from wellness.care.selectors import acting_clinician, clinician_for_patient_data, live_grants
from wellness.core.errors import NotFound
from wellness.people.models import Profile, User
from wellness.people.selectors import profile_age_years
from wellness.people.twofactor import two_factor_verified

# The professions that prescribe rehabilitation: therapists, and the doctors and nurses who lead
# cardiac and pulmonary rehabilitation.
THERAPIST_PROFESSIONS = frozenset(
    {
        Profession.PHYSIOTHERAPIST,
        Profession.OCCUPATIONAL_THERAPIST,
        Profession.DOCTOR,
        Profession.NURSE,
    }
)


def acting_therapist(*, user: Any) -> ClinicianProfile:
    """The profile through which ``user`` acts as a rehabilitation therapist now (verified, second
    factor, a prescribing profession); NotFound otherwise."""
    profile = acting_clinician(user=user)
    if profile.profession not in THERAPIST_PROFESSIONS:
        raise NotFound("No such clinician profile.")
    return profile


def _organisation_acted_for(user: User) -> int | None:
    if not two_factor_verified(user):
        return None
    return (
        ClinicianProfile.objects.filter(user_id=user.pk, verified_at__isnull=False)
        .values_list("organisation_id", flat=True)
        .first()
    )


def exercises_visible(
    *,
    user: User,
    body_region: str | None = None,
    equipment: str | None = None,
    position: str | None = None,
) -> QuerySet[Exercise]:
    """The library this person sees, filtered: by region, equipment and position (seated or
    standing, the variants it has)."""
    visible = Q(organisation__isnull=True) | Q(
        pk__in=Exercise.objects.filter(prescribed_in__program__patient_id=user.pk).values("pk")
    )
    organisation_id = _organisation_acted_for(user)
    if organisation_id is not None:
        visible |= Q(organisation_id=organisation_id)
    exercises = Exercise.objects.filter(visible)
    if body_region:
        exercises = exercises.filter(body_region=body_region)
    if equipment:
        exercises = exercises.filter(equipment=equipment)
    if position == "seated":
        exercises = exercises.filter(seated=True)
    elif position == "standing":
        exercises = exercises.filter(standing=True)
    return exercises.order_by("name", "id")


def exercise_visible(*, user: User, exercise_id: int) -> Exercise:
    exercise = exercises_visible(user=user).filter(pk=exercise_id).first()
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise


def exercises_prescribable(*, therapist: ClinicianProfile) -> QuerySet[Exercise]:
    """What a therapist may put in a program: the shipped library and their organisation's."""
    mine = Q(organisation_id=therapist.organisation_id) if therapist.organisation_id else Q()
    return Exercise.objects.filter(Q(organisation__isnull=True) | mine)


def therapist_caring_for(*, user: Any, patient_id: int) -> ClinicianProfile:
    """The therapist ``user`` acts as, in an active care relationship with this patient; NotFound
    otherwise (prescribing needs the relationship, not a grant: it reads none of the patient's
    data)."""
    therapist = acting_therapist(user=user)
    if not CareRelationship.objects.filter(
        clinician=therapist, patient_id=patient_id, status=RelationshipStatus.ACTIVE
    ).exists():
        raise NotFound("No such patient.")
    return therapist


def programs_of(*, patient_id: int) -> QuerySet[RehabProgram]:
    return (
        RehabProgram.objects.filter(patient_id=patient_id)
        .select_related("therapist")
        .order_by("-created_at", "-id")
    )


def program_for_reader(
    *, user: Any, program_id: int
) -> tuple[RehabProgram, ClinicianProfile | None]:
    """A program and, when the reader is not its patient, the clinician profile through which
    they read it (their read must then be recorded). NotFound alike for a missing program and
    one the reader may not see."""
    program = programs_of(patient_id=user.pk).filter(pk=program_id).first()
    if program is not None:
        return program, None
    program = RehabProgram.objects.select_related("therapist").filter(pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    try:
        clinician = clinician_for_patient_data(
            user=user, patient_id=program.patient_id, category=GrantCategory.REHABILITATION
        )
    except NotFound:
        raise NotFound("No such program.") from None
    return program, clinician


def program_for_therapist(*, user: Any, program_id: int) -> tuple[RehabProgram, ClinicianProfile]:
    """A program a therapist changes: its patient is in their active care."""
    program = RehabProgram.objects.filter(pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    try:
        therapist = therapist_caring_for(user=user, patient_id=program.patient_id)
    except NotFound:
        raise NotFound("No such program.") from None
    return program, therapist


def program_version_latest(*, program: RehabProgram) -> RehabProgramVersion:
    version = program.versions.order_by("-number").first()
    assert version is not None  # a program is created with its first version
    return version


def program_versions(*, program: RehabProgram) -> QuerySet[RehabProgramVersion]:
    return program.versions.select_related("created_by").order_by("number")


def physiology_of(*, patient_id: int) -> Physiology:
    profile = Profile.objects.filter(user_id=patient_id).first()
    if profile is None:
        return Physiology(resting_hr=None, measured_max_hr=None, age_years=None)
    return Physiology(
        resting_hr=profile.resting_heart_rate,
        measured_max_hr=profile.max_heart_rate,
        age_years=profile_age_years(profile),
    )


@dataclass(frozen=True)
class CeilingNow:
    bpm: int | None
    problem: str | None  # why there is no ceiling (the rule needs what the profile lacks)


def ceiling_now(*, version: RehabProgramVersion, patient_id: int) -> CeilingNow:
    """The version's heart-rate ceiling for its patient today."""
    limits = plan.limits_from_json(version.limits)
    try:
        return CeilingNow(ceiling_bpm(limits, physiology_of(patient_id=patient_id)), None)
    except CeilingUnavailable as exc:
        return CeilingNow(None, str(exc))


def _sessions() -> QuerySet[RehabSession]:
    return RehabSession.objects.select_related("version").prefetch_related(
        Prefetch("logs", queryset=RehabExerciseLog.objects.order_by("position"))
    )


def program_sessions(*, program: RehabProgram) -> QuerySet[RehabSession]:
    return _sessions().filter(program=program).order_by("-started_at", "-id")


def session_for_reader(
    *, user: Any, session_id: int
) -> tuple[RehabSession, ClinicianProfile | None]:
    """A session and, when the reader is not its patient, the clinician profile through which
    they read it (to be recorded); NotFound alike for missing and not visible."""
    session = _sessions().filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    if session.patient_id == user.pk:
        return session, None
    try:
        clinician = clinician_for_patient_data(
            user=user, patient_id=session.patient_id, category=GrantCategory.REHABILITATION
        )
    except NotFound:
        raise NotFound("No such session.") from None
    return session, clinician


# --- Adherence and the therapist's overview --------------------------------------------------------
# Alerts look back this far; two sessions due and not done raise the missed-sessions alert.
ALERT_WINDOW = dt.timedelta(days=7)
MISSED_SESSIONS_ALERT = 2
# A session counts as done once it ended, completed or stopped by a safety rule (the person came).
DONE = (RehabSessionStatus.COMPLETED, RehabSessionStatus.STOPPED)


@dataclass(frozen=True)
class Adherence:
    week_done: int  # sessions done this calendar week (Monday on, the patient's time zone)
    week_planned: int  # the current phase's sessions per week
    program_done: int
    program_planned: int  # the whole program, by its latest version
    planned_to_date: int  # what the calendar planned from the program's start until now


@dataclass(frozen=True)
class Alert:
    kind: str  # "ceiling_exceeded", "pain_stop" or "missed_sessions"
    at: dt.datetime
    session_id: int | None = None
    time_above_s: float | None = None
    peak_over_bpm: float | None = None
    pain: int | None = None
    pain_stop: int | None = None
    missed: int | None = None


@dataclass(frozen=True)
class ProgramOverview:
    patient_id: int
    patient_name: str
    program_id: int
    program_title: str
    current_phase: int
    adherence: Adherence
    last_session_at: dt.datetime | None
    last_pain: int | None
    last_rpe: int | None
    alerts: tuple[Alert, ...]


def _phases(version: RehabProgramVersion) -> list[tuple[int, int]]:
    return [(p["weeks"], p["sessions_per_week"]) for p in version.plan["phases"]]


def _week_start(now: dt.datetime, time_zone: str) -> dt.datetime:
    try:
        local = now.astimezone(ZoneInfo(time_zone or "UTC"))
    except (KeyError, ValueError):
        local = now.astimezone(dt.UTC)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(), tzinfo=local.tzinfo)


def _overview(
    program: RehabProgram, ended: list[dict[str, Any]], time_zone: str, now: dt.datetime
) -> ProgramOverview:
    version = next(iter(program.versions.all()))  # prefetched newest first
    phases = _phases(version)
    per_week = phases[min(program.current_phase, len(phases) - 1)][1]
    done = [s for s in ended if s["status"] in DONE]
    week_start = _week_start(now, time_zone)
    last = done[-1] if done else None
    since = last["ended_at"] if last else program.created_at
    alerts: list[Alert] = []
    for s in ended:
        if s["ended_at"] < now - ALERT_WINDOW:
            continue
        if (s["time_above_ceiling_s"] or 0) > 0:
            alerts.append(
                Alert(
                    "ceiling_exceeded",
                    s["ended_at"],
                    session_id=s["id"],
                    time_above_s=s["time_above_ceiling_s"],
                    peak_over_bpm=s["peak_over_ceiling_bpm"],
                )
            )
        if s["status"] == RehabSessionStatus.STOPPED:
            alerts.append(
                Alert(
                    "pain_stop",
                    s["ended_at"],
                    session_id=s["id"],
                    pain=s["peak_pain"],
                    pain_stop=s["version__limits"]["pain_stop"],
                )
            )
    missed = summary.missed_in_a_row((now - since).total_seconds() / 86400, per_week)
    if missed >= MISSED_SESSIONS_ALERT:
        alerts.append(Alert("missed_sessions", now, missed=missed))
    return ProgramOverview(
        patient_id=program.patient_id,
        patient_name=program.patient.profile.display_name,
        program_id=program.pk,
        program_title=program.title,
        current_phase=program.current_phase,
        adherence=Adherence(
            week_done=sum(1 for s in done if s["ended_at"] >= week_start),
            week_planned=per_week,
            program_done=len(done),
            program_planned=summary.planned_total(phases),
            planned_to_date=summary.planned_by(
                phases, (now - program.created_at).total_seconds() / 86400
            ),
        ),
        last_session_at=last["ended_at"] if last else None,
        last_pain=last["peak_pain"] if last else None,
        last_rpe=last["peak_rpe"] if last else None,
        alerts=tuple(sorted(alerts, key=lambda a: a.at, reverse=True)),
    )


# The columns of a session the overview reads, as plain rows.
OVERVIEW_SESSION_COLUMNS = (
    "id", "program_id", "status", "ended_at", "peak_pain", "peak_rpe", "time_above_ceiling_s",
    "peak_over_ceiling_bpm", "version__limits",
)  # fmt: skip


def _overviews(programs: list[RehabProgram], now: dt.datetime) -> list[ProgramOverview]:
    ended: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in programs}
    rows: QuerySet[RehabSession, dict[str, Any]] = (
        RehabSession.objects.filter(program__in=programs, ended_at__isnull=False)
        .order_by("ended_at", "id")
        .values(*OVERVIEW_SESSION_COLUMNS)
    )
    for row in rows:
        ended[row["program_id"]].append(row)
    return [_overview(p, ended[p.pk], p.patient.profile.time_zone, now) for p in programs]


def _with_overview_data(programs: QuerySet[RehabProgram]) -> list[RehabProgram]:
    return list(
        programs.select_related("patient__profile").prefetch_related(
            Prefetch("versions", queryset=RehabProgramVersion.objects.order_by("-number"))
        )
    )


def rehab_patients_overview(
    *, clinician: ClinicianProfile, now: dt.datetime | None = None
) -> list[ProgramOverview]:
    """The active programs of every patient who shares rehabilitation with this clinician now:
    adherence, the last session's pain and RPE, and alerts (the ceiling exceeded, how long and
    how far; pain at the stop rule; sessions missed). In a fixed number of queries."""
    now = now or timezone.now()
    patient_ids = (
        live_grants()
        .filter(category=GrantCategory.REHABILITATION, relationship__clinician=clinician)
        .values("relationship__patient_id")
    )
    programs = RehabProgram.objects.filter(
        patient_id__in=patient_ids, status=ProgramStatus.ACTIVE
    ).order_by("patient_id", "-created_at", "-id")
    return _overviews(_with_overview_data(programs), now)


def program_overview(*, program: RehabProgram, now: dt.datetime | None = None) -> ProgramOverview:
    """One program's adherence, last session and alerts."""
    return _overviews(
        _with_overview_data(RehabProgram.objects.filter(pk=program.pk)), now or timezone.now()
    )[0]


def rehab_dashboard_alerts(clinician: ClinicianProfile, now: dt.datetime) -> list[CareAlert]:
    """The clinician dashboard's alert source (``wellness.care.alerts``): the overview's alerts in
    words; each is a read of the patient's rehabilitation data, recorded by whoever shows it."""
    found = []
    for row in rehab_patients_overview(clinician=clinician, now=now):
        for alert in row.alerts:
            found.append(
                CareAlert(
                    f"rehab_{alert.kind}",
                    row.patient_id,
                    row.patient_name,
                    alert.at,
                    _alert_message(row.patient_name, alert),
                    health_read="rehabilitation alerts",
                )
            )
    return found


def _alert_message(name: str, alert: Alert) -> str:
    if alert.kind == "ceiling_exceeded":
        return (
            f"{name}'s heart rate stayed over the ceiling for {alert.time_above_s or 0:.0f} s, "
            f"up to {alert.peak_over_bpm or 0:.0f} bpm over, in a rehabilitation session."
        )
    if alert.kind == "pain_stop":
        return (
            f"{name} stopped a rehabilitation session with pain {alert.pain}/10 "
            f"(the stop rule is {alert.pain_stop}/10)."
        )
    return f"{name} missed {alert.missed} rehabilitation sessions in a row."
