"""The therapist's overview and adherence (issue 22, point 5): for each patient sharing
rehabilitation, the active program's sessions done against those planned (this week and over the
program), the last pain and RPE, and alerts (ceiling exceeded: how long and how far; pain at the
stop rule; two missed sessions). Each read is in the patients' access logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_relationship
from tests.wellness.care.rehabilitation.factories import (
    care_with_grant,
    patient_create,
    program_create,
    therapist_create,
)
from wellness.care.models import RehabProgram, RehabSession, RehabSessionStatus
from wellness.people.models import AccessLogEntry, Profile, User

pytestmark = pytest.mark.django_db

PATIENTS = "/api/v1/care/rehabilitation/patients/"


def _session(
    program: RehabProgram, ended_at: dt.datetime, status: str = "completed", **fields: Any
) -> RehabSession:
    return RehabSession.objects.create(
        program=program,
        version=program.versions.get(),
        patient=program.patient,
        phase=0,
        template=0,
        started_at=ended_at - dt.timedelta(minutes=30),
        ended_at=ended_at,
        status=status,
        **fields,
    )


def _program_started(patient: User, therapist: Any, days_ago: float) -> RehabProgram:
    program = program_create(therapist=therapist, patient=patient)  # (2 + 2) weeks x 3
    RehabProgram.objects.filter(pk=program.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    program.refresh_from_db()
    return program


def test_the_overview_shows_adherence_last_values_and_alerts(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    Profile.objects.filter(user=patient).update(display_name="Ada")
    care_with_grant(therapist=therapist, patient=patient)
    program = _program_started(patient, therapist, days_ago=10)
    now = timezone.now()
    _session(program, now - dt.timedelta(days=9), peak_pain=1, peak_rpe=2)
    ceiling = _session(
        program,
        now - dt.timedelta(minutes=2),
        peak_pain=3,
        peak_rpe=4,
        time_above_ceiling_s=95.0,
        peak_over_ceiling_bpm=12.0,
    )
    stopped = _session(
        program, now - dt.timedelta(minutes=1), RehabSessionStatus.STOPPED, peak_pain=6, peak_rpe=5
    )

    response = client_for(therapist.user).get(PATIENTS)

    assert response.status_code == 200
    [row] = response.json()
    assert (row["patient_name"], row["program_id"], row["last_pain"], row["last_rpe"]) == (
        "Ada",
        program.pk,
        6,
        5,
    )
    adherence = row["adherence"]
    assert (adherence["program_done"], adherence["program_planned"]) == (3, 12)
    # 10 days at 3 a week: 4 planned so far.
    assert (adherence["planned_to_date"], adherence["week_planned"]) == (4, 3)
    monday = dt.datetime.combine(
        now.date() - dt.timedelta(days=now.weekday()), dt.time(), tzinfo=dt.UTC
    )
    this_week = RehabSession.objects.filter(ended_at__gte=monday).count()
    assert adherence["week_done"] == this_week >= 1
    alerts = [(a["kind"], a["session_id"]) for a in row["alerts"]]
    assert alerts == [("pain_stop", stopped.pk), ("ceiling_exceeded", ceiling.pk)]
    assert (row["alerts"][1]["time_above_s"], row["alerts"][1]["peak_over_bpm"]) == (95.0, 12.0)
    assert (row["alerts"][0]["pain"], row["alerts"][0]["pain_stop"]) == (6, 5)
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.accessor_id) == (patient.pk, therapist.user_id)


def test_two_sessions_due_and_not_done_raise_the_missed_sessions_alert(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    _program_started(patient, therapist, days_ago=5)  # 5 days at 3 a week: 2 due

    [row] = client_for(therapist.user).get(PATIENTS).json()

    assert [(a["kind"], a["missed"]) for a in row["alerts"]] == [("missed_sessions", 2)]
    assert (row["last_session_at"], row["last_pain"]) == (None, None)


def test_one_session_due_is_not_yet_an_alert_and_old_alerts_are_left_out(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    program = _program_started(patient, therapist, days_ago=30)
    _session(program, timezone.now() - dt.timedelta(days=8), time_above_ceiling_s=30.0, peak_pain=1)
    _session(program, timezone.now() - dt.timedelta(days=3), peak_pain=1)  # 1.3 due since

    [row] = client_for(therapist.user).get(PATIENTS).json()

    assert row["alerts"] == []


def test_patients_who_do_not_share_rehabilitation_are_not_listed(client_for: ClientFor) -> None:
    therapist = therapist_create()
    sharing, not_sharing = patient_create(), patient_create()
    care_with_grant(therapist=therapist, patient=sharing)
    make_relationship(patient=not_sharing, clinician=therapist)
    program_create(therapist=therapist, patient=sharing)
    program_create(therapist=therapist, patient=not_sharing)

    rows = client_for(therapist.user).get(PATIENTS).json()

    assert [r["patient_id"] for r in rows] == [sharing.pk]
    assert list(AccessLogEntry.objects.values_list("subject_id", flat=True)) == [sharing.pk]


def test_a_person_who_is_not_a_verified_clinician_gets_404(client_for: ClientFor) -> None:
    unverified = therapist_create(verified=False)

    assert client_for(UserFactory.create()).get(PATIENTS).status_code == 404
    assert client_for(unverified.user).get(PATIENTS).status_code == 404


def test_the_patient_reads_their_own_adherence_unlogged(client_for: ClientFor) -> None:
    therapist, patient = therapist_create(), patient_create()
    make_relationship(patient=patient, clinician=therapist)
    program = _program_started(patient, therapist, days_ago=1)
    _session(program, timezone.now() - dt.timedelta(hours=1), peak_pain=2, peak_rpe=3)

    response = client_for(patient).get(
        f"/api/v1/care/rehabilitation/programs/{program.pk}/adherence/"
    )

    assert response.status_code == 200
    assert response.json()["adherence"]["program_done"] == 1
    assert not AccessLogEntry.objects.exists()
    stranger = client_for(UserFactory.create())
    assert (
        stranger.get(f"/api/v1/care/rehabilitation/programs/{program.pk}/adherence/").status_code
        == 404
    )


def test_the_dashboards_recent_alerts_carry_rehabilitation_alerts_and_record_the_read(
    client_for: ClientFor,
) -> None:
    therapist, patient = therapist_create(), patient_create()
    Profile.objects.filter(user=patient).update(display_name="Ada")
    care_with_grant(therapist=therapist, patient=patient)
    program = _program_started(patient, therapist, days_ago=1)
    _session(program, timezone.now(), RehabSessionStatus.STOPPED, peak_pain=6, peak_rpe=5)

    response = client_for(therapist.user).get("/api/v1/care/alerts/")

    assert response.status_code == 200
    rehab = [a for a in response.json() if a["kind"].startswith("rehab_")]
    assert [(a["kind"], a["patient_name"], a["message"]) for a in rehab] == [
        (
            "rehab_pain_stop",
            "Ada",
            "Ada stopped a rehabilitation session with pain 6/10 (the stop rule is 5/10).",
        )
    ]
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.accessor_id, entry.what) == (
        patient.pk,
        therapist.user_id,
        "rehabilitation alerts",
    )
