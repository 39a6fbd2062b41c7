"""Writes for rehabilitation: custom exercises and programs (prescribed, revised as versions)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from wellness.care.models import (
    ClinicianProfile,
    Exercise,
    ProgramStatus,
    RehabProgram,
    RehabProgramVersion,
)
from wellness.care.rehabilitation import plan as plan_module
from wellness.care.rehabilitation import selectors
from wellness.core.errors import Conflict, Forbidden, ValidationFailed


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
    with transaction.atomic():
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
            raise ValidationFailed(
                "An exercise of that name was just added; try again.",
                fields={"name": ["Taken a moment ago."]},
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
