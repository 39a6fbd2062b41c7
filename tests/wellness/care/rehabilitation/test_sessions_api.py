"""Home sessions (issue 22, point 3, backend): a patient starts a session of their program as a
"rehab" workout (consent rules apply), logs each exercise's sets, reps, pain and RPE, and ends
with a summary (adherence, time above the heart-rate ceiling). Pain at the stop rule ends the
session with its reason. A session keeps the program version it was done under; the progression
rule advances the program exactly when it should. Clinicians read sessions only with a live
rehabilitation grant, and each read is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_relationship
from tests.wellness.care.rehabilitation.factories import (
    care_with_grant,
    patient_create,
    plan_json,
    program_create,
    therapist_create,
)
from wellness.care.models import (
    ClinicianProfile,
    RehabExerciseLog,
    RehabProgram,
    RehabSession,
)
from wellness.people.models import AccessLogEntry, User
from wellness.scoring.models import ScoreStatus, StoredScore
from wellness.scoring.pipeline import workouts_score
from wellness.workouts.models import Workout, WorkoutStatus
from wellness.workouts.services import workout_samples_store

pytestmark = pytest.mark.django_db

PROGRAMS = "/api/v1/care/rehabilitation/programs/"
SESSIONS = "/api/v1/care/rehabilitation/sessions/"


def _care(*, phases: tuple[int, ...] = (2, 2)) -> tuple[ClinicianProfile, User, RehabProgram]:
    therapist, patient = therapist_create(), patient_create(resting_hr=60, max_hr=180)
    care_with_grant(therapist=therapist, patient=patient)
    return therapist, patient, program_create(therapist=therapist, patient=patient, phases=phases)


def _start(client: Any, program: RehabProgram) -> dict[str, Any]:
    response = client.post(f"{PROGRAMS}{program.pk}/sessions/", {}, format="json")
    assert response.status_code == 201
    return response.json()  # type: ignore[no-any-return]


def _log(client: Any, session_id: int, position: int, **values: Any) -> Any:
    body = {"position": position, "sets_done": 2, "reps_done": 8, "pain": 1, "rpe": 3, **values}
    return client.post(f"{SESSIONS}{session_id}/logs/", body, format="json")


def _session_done(client: Any, program: RehabProgram, *, pain: int, rpe: int) -> dict[str, Any]:
    session = _start(client, program)
    _log(client, session["id"], 0, pain=pain, rpe=rpe)
    _log(client, session["id"], 1, sets_done=1, reps_done=None, pain=pain, rpe=rpe)
    return client.post(f"{SESSIONS}{session['id']}/end/").json()  # type: ignore[no-any-return]


def test_a_session_starts_as_a_rehab_workout_with_its_ceiling_and_targets(
    client_for: ClientFor,
) -> None:
    _, patient, program = _care()
    client = client_for(patient)

    session = _start(client, program)
    again = _start(client, program)

    assert again["id"] == session["id"]  # a second start resumes the session under way
    workout = Workout.objects.get(pk=session["workout_id"])
    assert (workout.sport, workout.client_id, workout.status) == (
        "rehab",
        f"rehab-{session['id']}",
        WorkoutStatus.ACTIVE,
    )
    assert (session["ceiling_bpm"], session["version_number"], session["status"]) == (
        144,
        1,
        "active",
    )
    assert [t["reps"] for t in session["targets"]] == [8, None]


def test_without_health_data_consent_the_session_runs_without_a_workout(
    client_for: ClientFor,
) -> None:
    therapist = therapist_create()
    patient = UserFactory.create(consented=False)
    make_relationship(patient=patient, clinician=therapist)
    program = program_create(therapist=therapist, patient=patient)

    session = _start(client_for(patient), program)

    assert session["workout_id"] is None
    assert not Workout.objects.exists()


def test_the_summary_has_adherence_peaks_and_time_above_the_ceiling(
    client_for: ClientFor,
) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    session = _start(client, program)
    t0 = timezone.now().timestamp() - 120
    # 60 s of heart rate: 130 bpm, with 150 bpm (6 over the 144 ceiling) from t0+20 to t0+29.
    samples = [{"t": t0 + i, "hr": 150 if 20 <= i < 30 else 130} for i in range(60)]
    workout_samples_store(
        user=patient, workout_id=session["workout_id"], device="strap", seq=1, samples=samples
    )
    _log(client, session["id"], 0, sets_done=2, reps_done=4, pain=2, rpe=4)

    ended = client.post(f"{SESSIONS}{session['id']}/end/").json()

    assert (ended["status"], ended["stop_reason"]) == ("completed", "")
    # The first exercise half done (4 of 8 reps), the second not logged: a quarter.
    assert ended["adherence"] == 0.25
    assert (ended["peak_pain"], ended["peak_rpe"]) == (2, 4)
    assert (ended["time_above_ceiling_s"], ended["peak_over_ceiling_bpm"]) == (10.0, 6.0)
    assert ended["ceiling_crossings"] == 1
    assert Workout.objects.get(pk=session["workout_id"]).status == WorkoutStatus.FINISHED
    assert client.post(f"{SESSIONS}{session['id']}/end/").json() == ended  # ending again: same


def test_pain_at_the_stop_rule_ends_the_session_with_its_reason(client_for: ClientFor) -> None:
    _, patient, program = _care()  # pain_stop 5
    client = client_for(patient)
    session = _start(client, program)

    below = _log(client, session["id"], 0, pain=4)
    stopped = _log(client, session["id"], 1, sets_done=1, reps_done=None, pain=5, rpe=6)

    assert below.json()["status"] == "active"
    body = stopped.json()
    assert (stopped.status_code, body["status"]) == (201, "stopped")
    assert body["stop_reason"] == "Pain 5/10 during Marching in place reached the stop rule (5/10)."
    assert body["ended_at"] is not None
    assert Workout.objects.get(pk=session["workout_id"]).status == WorkoutStatus.FINISHED
    late = client.post(f"{SESSIONS}{session['id']}/end/").json()
    assert late["status"] == "stopped"


def test_a_session_that_ended_takes_no_more_logs(client_for: ClientFor) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    session = _start(client, program)
    client.post(f"{SESSIONS}{session['id']}/end/")

    response = _log(client, session["id"], 0)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_ended"
    assert not RehabExerciseLog.objects.exists()


def test_an_exercise_is_logged_once_and_only_if_it_is_in_the_session(
    client_for: ClientFor,
) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    session = _start(client, program)
    _log(client, session["id"], 0)

    twice = _log(client, session["id"], 0)
    missing = _log(client, session["id"], 2)
    too_painful = _log(client, session["id"], 1, pain=11)

    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_logged")
    assert missing.status_code == 400
    assert "position" in missing.json()["error"]["fields"]
    assert too_painful.status_code == 400
    assert RehabExerciseLog.objects.count() == 1


def test_a_completed_session_keeps_the_version_it_was_done_under(client_for: ClientFor) -> None:
    therapist, patient, program = _care()
    client = client_for(patient)
    done = _session_done(client, program, pain=2, rpe=3)
    harder = plan_json(2, 2)
    harder["phases"][0]["sessions"][0]["exercises"][0]["reps"] = 15

    revised = client_for(therapist.user).post(
        f"{PROGRAMS}{program.pk}/versions/", {"plan": harder}, format="json"
    )
    after = _session_done(client, program, pain=2, rpe=3)

    assert revised.status_code == 201
    kept = client.get(f"{SESSIONS}{done['id']}/").json()
    assert (kept["version_number"], kept["targets"][0]["reps"]) == (1, 8)
    assert kept["adherence"] == done["adherence"] == 1.0
    assert (after["version_number"], after["targets"][0]["reps"]) == (2, 15)
    assert RehabSession.objects.get(pk=done["id"]).version.number == 1


def test_two_sessions_in_a_row_within_the_limits_advance_the_program(
    client_for: ClientFor,
) -> None:
    _, patient, program = _care()  # two in a row, pain <= 3, RPE <= target 4
    client = client_for(patient)

    first = _session_done(client, program, pain=3, rpe=4)
    program.refresh_from_db()
    assert (first["advanced_phase"], program.current_phase) == (False, 0)

    second = _session_done(client, program, pain=3, rpe=4)

    program.refresh_from_db()
    assert (second["advanced_phase"], program.current_phase) == (True, 1)
    third = _start(client, program)
    assert (third["phase"], [t["reps"] for t in third["targets"]]) == (1, [10, None])


@pytest.mark.parametrize(("pain", "rpe"), [(4, 4), (3, 5)])
def test_one_value_over_the_rule_does_not_advance(
    client_for: ClientFor, pain: int, rpe: int
) -> None:
    _, patient, program = _care()
    client = client_for(patient)

    _session_done(client, program, pain=3, rpe=4)
    _session_done(client, program, pain=pain, rpe=rpe)

    program.refresh_from_db()
    assert program.current_phase == 0


def test_a_stopped_session_breaks_the_run(client_for: ClientFor) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    _session_done(client, program, pain=1, rpe=2)
    stopped = _start(client, program)
    _log(client, stopped["id"], 0, pain=6)

    _session_done(client, program, pain=1, rpe=2)
    program.refresh_from_db()
    assert program.current_phase == 0
    _session_done(client, program, pain=1, rpe=2)
    program.refresh_from_db()
    assert program.current_phase == 1


def test_the_last_phase_does_not_advance_further(client_for: ClientFor) -> None:
    _, patient, program = _care(phases=(1,))
    client = client_for(patient)

    _session_done(client, program, pain=0, rpe=1)
    last = _session_done(client, program, pain=0, rpe=1)

    program.refresh_from_db()
    assert (last["advanced_phase"], program.current_phase) == (False, 0)


def test_another_persons_session_is_a_404(client_for: ClientFor) -> None:
    _, patient, program = _care()
    session = _start(client_for(patient), program)
    stranger = client_for(UserFactory.create(consented=True))

    assert stranger.get(f"{SESSIONS}{session['id']}/").status_code == 404
    assert _log(stranger, session["id"], 0).status_code == 404
    assert stranger.post(f"{SESSIONS}{session['id']}/end/").status_code == 404
    assert stranger.post(f"{PROGRAMS}{program.pk}/sessions/", {}, format="json").status_code == 404
    assert not RehabExerciseLog.objects.exists()
    assert RehabSession.objects.get().status == "active"


def test_a_clinician_with_a_live_grant_reads_sessions_and_each_read_is_logged_once(
    client_for: ClientFor,
) -> None:
    therapist, patient, program = _care()
    done = _session_done(client_for(patient), program, pain=2, rpe=3)
    client = client_for(therapist.user)

    listing = client.get(f"{PROGRAMS}{program.pk}/sessions/")
    detail = client.get(f"{SESSIONS}{done['id']}/")

    assert [s["id"] for s in listing.json()] == [done["id"]]
    assert detail.json()["peak_pain"] == 2
    assert (
        AccessLogEntry.objects.filter(subject=patient, accessor_id=therapist.user_id).count() == 2
    )


def test_a_clinician_without_a_rehabilitation_grant_gets_404_for_sessions(
    client_for: ClientFor,
) -> None:
    _, patient, program = _care()
    done = _session_done(client_for(patient), program, pain=2, rpe=3)
    other = therapist_create(name="Mr. Berg")
    make_relationship(patient=patient, clinician=other)
    client = client_for(other.user)

    assert client.get(f"{PROGRAMS}{program.pk}/sessions/").status_code == 404
    assert client.get(f"{SESSIONS}{done['id']}/").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_timed_exercise_is_logged_without_reps(client_for: ClientFor) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    session = _start(client, program)

    response = client.post(
        f"{SESSIONS}{session['id']}/logs/",
        {"position": 1, "sets_done": 1, "pain": 0, "rpe": 2},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["logs"][0]["reps_done"] is None


def test_the_sessions_workout_is_scored_like_any_other(client_for: ClientFor) -> None:
    _, patient, program = _care()
    client = client_for(patient)
    session = _start(client, program)
    t0 = timezone.now().timestamp() - 1200
    samples = [{"t": t0 + i, "hr": 95 + 25 * (300 < i < 900)} for i in range(1200)]
    workout_samples_store(
        user=patient, workout_id=session["workout_id"], device="strap", seq=1, samples=samples
    )
    client.post(f"{SESSIONS}{session['id']}/end/")

    workouts_score(workout_ids=[session["workout_id"]])

    score = StoredScore.objects.get(workout_id=session["workout_id"])
    assert score.status == ScoreStatus.SCORED
    assert score.points > 0
