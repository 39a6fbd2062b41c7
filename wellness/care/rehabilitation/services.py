"""Writes for rehabilitation: custom exercises, programs (prescribed, revised as versions) and
home sessions (started as workouts, logged exercise by exercise, stopped by the pain rule,
summarised, advancing the program by its progression rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from wellness.care.models import (
    ClinicianProfile,
    Exercise,
    ProgramStatus,
    RehabExerciseLog,
    RehabProgram,
    RehabProgramVersion,
    RehabSession,
    RehabSessionStatus,
)
from wellness.care.rehabilitation import plan as plan_module
from wellness.care.rehabilitation import progression, safety, selectors, summary
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.people.models import User
from wellness.people.selectors import health_consent_active
from wellness.workouts.models import Sport, WorkoutSource
from wellness.workouts.selectors import workout_series
from wellness.workouts.services import workout_finish, workout_start


def _slug_free(organisation_id: int, name: str) -> str:
    base = slugify(name)[:70] or "exercise"
    taken = set(
        Exercise.objects.filter(organisation_id=organisation_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def exercise_create(
    *,
    clinician_user: Any,
    name: str,
    instructions: str,
    body_region: str,
    equipment: str,
    seated: bool,
    standing: bool,
    precautions: str = "",
) -> Exercise:
    """A therapist's own exercise, shared with the clinicians of their organisation only."""
    therapist = selectors.acting_therapist(user=clinician_user)
    if therapist.organisation_id is None:
        raise Forbidden(
            "Custom exercises belong to an organisation; join one to add them.",
            code="no_organisation",
        )
    if not (seated or standing):
        raise ValidationFailed(
            "An exercise is done seated, standing or both.",
            fields={"seated": ["Choose seated, standing or both."]},
        )
    try:
        with transaction.atomic():
            return Exercise.objects.create(
                organisation_id=therapist.organisation_id,
                created_by=therapist,
                slug=_slug_free(therapist.organisation_id, name),
                name=name.strip(),
                instructions=instructions.strip(),
                body_region=body_region,
                equipment=equipment,
                seated=seated,
                standing=standing,
                precautions=precautions.strip(),
            )
    except IntegrityError:  # a colleague added one of the same name at the same moment
        raise Conflict(
            "An exercise of that name was just added; try again.", code="name_taken"
        ) from None


# --- Programs ------------------------------------------------------------------------------------
def _version_content_checked(
    *, therapist: ClinicianProfile, plan: object, limits: object, progression: object
) -> list[int]:
    """Raise ValidationFailed naming every problem; the exercise ids the plan uses."""
    try:
        content = plan_module.program_from_json(plan, limits, progression)
    except plan_module.PlanInvalid as exc:
        raise ValidationFailed("The program is not valid.", fields=exc.fields) from None
    ids = content.plan.exercise_ids()
    known = set(
        selectors.exercises_prescribable(therapist=therapist)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if unknown := sorted(ids - known):
        raise ValidationFailed(
            "The plan names exercises you cannot prescribe.",
            fields={"plan": [f"No such exercise: {', '.join(map(str, unknown))}."]},
        )
    return sorted(ids)


def _version_write(
    *,
    program: RehabProgram,
    number: int,
    therapist: ClinicianProfile,
    plan: object,
    limits: object,
    progression: object,
    exercise_ids: list[int],
    change_note: str = "",
) -> RehabProgramVersion:
    version = RehabProgramVersion.objects.create(
        program=program,
        number=number,
        plan=plan,
        limits=limits,
        progression=progression or {},
        change_note=change_note.strip(),
        created_by=therapist,
    )
    version.exercises.set(exercise_ids)
    return version


def program_prescribe(
    *,
    clinician_user: Any,
    patient_id: int,
    title: str,
    plan: object,
    limits: object,
    progression: object = None,
) -> RehabProgram:
    """A therapist in active care of the patient prescribes a program (its version 1)."""
    therapist = selectors.therapist_caring_for(user=clinician_user, patient_id=patient_id)
    exercise_ids = _version_content_checked(
        therapist=therapist, plan=plan, limits=limits, progression=progression
    )
    with transaction.atomic():
        program = RehabProgram.objects.create(
            patient_id=patient_id, therapist=therapist, title=title.strip()
        )
        _version_write(
            program=program,
            number=1,
            therapist=therapist,
            plan=plan,
            limits=limits,
            progression=progression,
            exercise_ids=exercise_ids,
        )
    return program


def program_revise(
    *,
    clinician_user: Any,
    program_id: int,
    plan: object = None,
    limits: object = None,
    progression: object = None,
    change_note: str = "",
) -> RehabProgramVersion:
    """A new version of the program; what is not given is carried over from the latest. Sessions
    already done keep the version they were done under."""
    program, therapist = selectors.program_for_therapist(user=clinician_user, program_id=program_id)
    with transaction.atomic():
        program = RehabProgram.objects.select_for_update().get(pk=program.pk)
        if program.status != ProgramStatus.ACTIVE:
            raise Conflict("The program has ended.", code="program_ended")
        latest = selectors.program_version_latest(program=program)
        plan = latest.plan if plan is None else plan
        limits = latest.limits if limits is None else limits
        progression = latest.progression if progression is None else progression
        exercise_ids = _version_content_checked(
            therapist=therapist, plan=plan, limits=limits, progression=progression
        )
        version = _version_write(
            program=program,
            number=latest.number + 1,
            therapist=therapist,
            plan=plan,
            limits=limits,
            progression=progression,
            exercise_ids=exercise_ids,
            change_note=change_note,
        )
        # Fewer phases than the patient had reached: they continue in the new last one.
        phases = len(plan_module.plan_from_json(plan).phases)
        if program.current_phase >= phases:
            program.current_phase = phases - 1
            program.save(update_fields=["current_phase"])
    return version


# --- Sessions ------------------------------------------------------------------------------------
def _content(version: RehabProgramVersion) -> plan_module.Program:
    return plan_module.program_from_json(version.plan, version.limits, version.progression)


def session_start(
    *, patient: User, program_id: int, template: int = 0, now: dt.datetime | None = None
) -> RehabSession:
    """Start a session of the patient's program under its latest version, in the current phase
    (``template``: which of the phase's sessions). A session already under way is returned (a
    second tab, a reconnect). With health-data consent it records a workout (sport
    "rehab", client id ``rehab-<session id>`` so the bridge or phone streams heart rate into it);
    without, the session runs with no heart rate stored."""
    now = now or timezone.now()
    with transaction.atomic():
        program = (
            RehabProgram.objects.select_for_update().filter(pk=program_id, patient=patient).first()
        )
        if program is None:
            raise NotFound("No such program.")
        if program.status != ProgramStatus.ACTIVE:
            raise Conflict("The program has ended.", code="program_ended")
        under_way = program.sessions.filter(status=RehabSessionStatus.ACTIVE).first()
        if under_way is not None:
            return under_way
        version = selectors.program_version_latest(program=program)
        phase = _content(version).plan.phases[program.current_phase]
        if not 0 <= template < len(phase.sessions):
            raise ValidationFailed(
                "No such session in this phase.",
                fields={"template": [f"From 0 to {len(phase.sessions) - 1}."]},
            )
        session = RehabSession.objects.create(
            program=program,
            version=version,
            patient=patient,
            phase=program.current_phase,
            template=template,
            started_at=now,
            ceiling_bpm=selectors.ceiling_now(version=version, patient_id=patient.pk).bpm,
        )
        if health_consent_active(user=patient):
            session.workout = workout_start(
                user=patient,
                sport=Sport.REHAB,
                indoor=True,
                started_at=now,
                source=WorkoutSource.BRIDGE,
                client_id=f"rehab-{session.pk}",
            )
            session.save(update_fields=["workout"])
    return session


def _session_of(patient: User, session_id: int) -> RehabSession:
    session = (
        RehabSession.objects.select_for_update()
        .select_related("version")
        .filter(pk=session_id, patient=patient)
        .first()
    )
    if session is None:
        raise NotFound("No such session.")
    return session


def session_log(
    *,
    patient: User,
    session_id: int,
    position: int,
    sets_done: int,
    reps_done: int | None,
    pain: int,
    rpe: int,
    now: dt.datetime | None = None,
) -> RehabSession:
    """Log one exercise of the session. Pain at or over the program's stop rule ends the session
    at once, stopped, with the reason recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session_of(patient, session_id)
        if session.status != RehabSessionStatus.ACTIVE:
            raise Conflict("The session has ended.", code="session_ended")
        content = _content(session.version)
        targets = content.plan.phases[session.phase].sessions[session.template].exercises
        if not 0 <= position < len(targets):
            raise ValidationFailed(
                "No such exercise in this session.",
                fields={"position": [f"From 0 to {len(targets) - 1}."]},
            )
        if session.logs.filter(position=position).exists():
            raise Conflict("This exercise is already logged.", code="already_logged")
        exercise = Exercise.objects.filter(pk=targets[position].exercise_id).first()
        name = exercise.name if exercise is not None else "an exercise"
        RehabExerciseLog.objects.create(
            session=session,
            position=position,
            exercise=exercise,
            exercise_name=name,
            sets_done=sets_done,
            reps_done=reps_done,
            pain=pain,
            rpe=rpe,
            logged_at=now,
        )
        stop_at = content.limits.pain_stop
        if pain >= stop_at:
            reason = f"Pain {pain}/10 during {name} reached the stop rule ({stop_at}/10)."
            _session_close(session, content, RehabSessionStatus.STOPPED, reason, now)
    return session


def session_end(*, patient: User, session_id: int, now: dt.datetime | None = None) -> RehabSession:
    """Complete the session and write its summary; ending an ended session changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session_of(patient, session_id)
        if session.status == RehabSessionStatus.ACTIVE:
            _session_close(
                session, _content(session.version), RehabSessionStatus.COMPLETED, "", now
            )
    return session


def _session_close(
    session: RehabSession,
    content: plan_module.Program,
    status: RehabSessionStatus,
    reason: str,
    now: dt.datetime,
) -> None:
    logs = {
        log.position: summary.Logged(log.sets_done, log.reps_done, log.pain, log.rpe)
        for log in session.logs.all()
    }
    targets = content.plan.phases[session.phase].sessions[session.template].exercises
    session.status, session.stop_reason, session.ended_at = status, reason, now
    session.adherence = summary.session_adherence(targets, logs)
    session.peak_pain, session.peak_rpe = summary.peaks(list(logs.values()))
    if session.workout_id is not None:
        workout_finish(workout_id=session.workout_id, ended_at=max(now, session.started_at))
        if session.ceiling_bpm is not None:
            records = workout_series(workout=session.workout_id).records
            check = safety.ceiling_check(records[:, 0], records[:, 1], session.ceiling_bpm)
            session.time_above_ceiling_s = check.state.time_above_s
            session.peak_over_ceiling_bpm = check.state.peak_over_bpm
            session.ceiling_crossings = check.state.crossings
    session.save()
    if status == RehabSessionStatus.COMPLETED:
        _progression_apply(session, content, now)


def _progression_apply(
    session: RehabSession, content: plan_module.Program, now: dt.datetime
) -> None:
    """Advance the program to its next phase when this session completes the progression rule."""
    program = RehabProgram.objects.select_for_update().get(pk=session.program_id)
    if session.phase != program.current_phase or program.current_phase + 1 >= len(
        content.plan.phases
    ):
        return
    ended = program.sessions.filter(
        phase=program.current_phase,
        started_at__gte=program.phase_started_at,
        ended_at__isnull=False,
    ).order_by("ended_at", "id")
    outcomes = [
        progression.SessionOutcome(
            completed=s.status == RehabSessionStatus.COMPLETED,
            peak_pain=s.peak_pain,
            peak_rpe=s.peak_rpe,
        )
        for s in ended
    ]
    if progression.should_advance(content.progression, outcomes):
        program.current_phase += 1
        program.phase_started_at = now
        program.save(update_fields=["current_phase", "phase_started_at"])
        session.advanced_phase = True
        session.save(update_fields=["advanced_phase"])


def program_end(*, user: Any, program_id: int) -> RehabProgram:
    """End a program: its patient, or a therapist in their active care. No new session or version
    follows; a session under way can still be logged and ended. Ending again changes nothing."""
    program = RehabProgram.objects.filter(pk=program_id, patient_id=user.pk).first()
    if program is None:
        program, _ = selectors.program_for_therapist(user=user, program_id=program_id)
    RehabProgram.objects.filter(pk=program.pk, status=ProgramStatus.ACTIVE).update(
        status=ProgramStatus.ENDED
    )
    program.refresh_from_db()
    return program
