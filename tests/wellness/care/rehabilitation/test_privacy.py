"""Rehabilitation data is the person's health data: it is in their export and erased with it."""

from __future__ import annotations

import pytest

from tests.wellness.care.factories import make_relationship
from tests.wellness.care.rehabilitation.factories import (
    patient_create,
    program_create,
    therapist_create,
)
from wellness.care.models import (
    RehabExerciseLog,
    RehabProgram,
    RehabProgramVersion,
    RehabSession,
)
from wellness.care.rehabilitation import services
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.selectors import user_export

pytestmark = pytest.mark.django_db


def _patient_with_a_session() -> tuple[User, RehabProgram]:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)
    session = services.session_start(patient=patient, program_id=program.pk)
    services.session_log(
        patient=patient, session_id=session.pk, position=0, sets_done=2, reps_done=8, pain=2, rpe=3
    )
    services.session_end(patient=patient, session_id=session.pk)
    return patient, program


def test_the_export_holds_programs_versions_sessions_and_logs() -> None:
    patient, program = _patient_with_a_session()

    [exported] = user_export(user=patient)["rehabilitation"]

    assert (exported["title"], exported["therapist"]) == (program.title, "Ms. Ito")
    assert [v["number"] for v in exported["versions"]] == [1]
    [session] = exported["sessions"]
    assert (session["status"], session["version"]) == ("completed", 1)
    assert session["logs"][0]["exercise"] == "Sit to stand"
    assert (session["logs"][0]["pain"], session["logs"][0]["rpe"]) == (2, 3)


def test_health_data_erasure_removes_programs_sessions_and_logs() -> None:
    patient, _ = _patient_with_a_session()
    other, _ = _patient_with_a_session()

    health_data_erase(user_id=patient.pk)
    health_data_erase(user_id=patient.pk)

    assert not RehabProgram.objects.filter(patient=patient).exists()
    assert not RehabSession.objects.filter(patient=patient).exists()
    assert RehabProgram.objects.filter(patient=other).count() == 1
    assert RehabProgramVersion.objects.count() == 1
    assert RehabExerciseLog.objects.count() == 1
