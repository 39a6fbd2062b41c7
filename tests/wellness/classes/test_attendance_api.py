"""Taking a class over HTTP: start on demand or join live, complete once; strangers get 404 and
bad input a 400, and nothing changes for either."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from challenges.models import AppliedWorkout
from tests.factories import UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes import services
from wellness.classes.models import (
    Attendance,
    AttendanceStatus,
    ClassOccurrence,
    FitnessClass,
    Instructor,
)
from wellness.people.models import User
from wellness.scoring.models import StoredScore
from wellness.workouts.models import Workout, WorkoutStatus

URL = "/api/v1/classes/"


@pytest.fixture
def on_demand(instructor: Instructor) -> FitnessClass:
    return FitnessClassFactory.create(instructor=instructor, on_demand=True)


def start(client: Any, fitness_class: FitnessClass) -> Any:
    return client.post(f"{URL}{fitness_class.pk}/attendances/", format="json")


def complete(client: Any, attendance_id: int, body: Any = None) -> Any:
    return client.post(f"{URL}attendances/{attendance_id}/complete/", body or {}, format="json")


def test_anyone_starts_and_completes_an_on_demand_class(
    client_for: Any,
    on_demand: FitnessClass,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(consenting_user)

    started = start(client, on_demand)

    assert started.status_code == 201
    body = started.json()
    assert (body["status"], body["class_title"], body["delivery"]) == (
        "started",
        "Evening breath",
        "on_demand",
    )
    workout = Workout.objects.get(pk=body["workout"])
    assert (workout.user, workout.sport, workout.source) == (consenting_user, "yoga", "class")
    assert body["recording"] == {
        "client_id": f"class-{body['id']}",
        "sport": "yoga",
        "indoor": True,
        "started_at": workout.started_at.timestamp(),
    }

    with django_capture_on_commit_callbacks(execute=True):
        done = complete(client, body["id"])

    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    workout.refresh_from_db()
    assert workout.status == WorkoutStatus.FINISHED
    assert StoredScore.objects.filter(workout=workout).exists()
    assert client.get(f"{URL}attendances/{body['id']}/").json()["score"]["status"] == "scored"


def test_completing_twice_is_the_same_completion(
    client_for: Any,
    on_demand: FitnessClass,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(consenting_user)
    attendance_id = start(client, on_demand).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        first = complete(client, attendance_id)
        second = complete(client, attendance_id, {"attended_s": 1})

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["completed_at"] == first.json()["completed_at"]
    assert Workout.objects.filter(user=consenting_user).count() == 1
    assert AppliedWorkout.objects.filter(user=consenting_user).count() == 1


def test_starting_twice_gives_the_run_already_going(
    client_for: Any, on_demand: FitnessClass, consenting_user: User
) -> None:
    client = client_for(consenting_user)

    first, second = start(client, on_demand), start(client, on_demand)

    assert first.json()["id"] == second.json()["id"]
    assert Attendance.objects.count() == 1
    assert Workout.objects.count() == 1


def test_another_persons_attendance_is_a_404_and_stays_as_it_was(
    client_for: Any, on_demand: FitnessClass, consenting_user: User, other_user: User
) -> None:
    attendance_id = start(client_for(consenting_user), on_demand).json()["id"]
    stranger = client_for(other_user)

    read = stranger.get(f"{URL}attendances/{attendance_id}/")
    finish = complete(stranger, attendance_id)

    assert (read.status_code, finish.status_code) == (404, 404)
    assert finish.json()["error"]["code"] == "not_found"
    attendance = Attendance.objects.get(pk=attendance_id)
    assert attendance.status == AttendanceStatus.STARTED
    assert Workout.objects.get(class_attendance=attendance).status == WorkoutStatus.ACTIVE


def test_another_persons_classes_are_not_in_my_history(
    client_for: Any, on_demand: FitnessClass, consenting_user: User, other_user: User
) -> None:
    owner = client_for(consenting_user)
    complete(owner, start(owner, on_demand).json()["id"])

    history = client_for(other_user).get(f"{URL}history/").json()

    assert history["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"attended_s": -1}, "attended_s"),
        ({"attended_s": "a while"}, "attended_s"),
        ({"attended_s": 86_401}, "attended_s"),
        ({"attended_s": 3600}, "attended_s"),  # more than the time since the start
    ],
)
def test_a_bad_completion_is_a_400_and_the_class_goes_on(
    client_for: Any, on_demand: FitnessClass, consenting_user: User, body: Any, field: str
) -> None:
    client = client_for(consenting_user)
    attendance_id = start(client, on_demand).json()["id"]

    response = complete(client, attendance_id, body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    attendance = Attendance.objects.get(pk=attendance_id)
    assert (attendance.status, attendance.completed_at) == (AttendanceStatus.STARTED, None)
    assert Workout.objects.get(class_attendance=attendance).status == WorkoutStatus.ACTIVE


def test_a_live_class_cannot_be_started_on_demand(
    client_for: Any, occurrence: ClassOccurrence, consenting_user: User
) -> None:
    response = start(client_for(consenting_user), occurrence.fitness_class)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "live_class"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("class_id", ["999999", "99999999999999999999"])
def test_an_unknown_class_is_a_404(client_for: Any, consenting_user: User, class_id: str) -> None:
    response = client_for(consenting_user).post(f"{URL}{class_id}/attendances/", format="json")

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def live_url(occurrence: ClassOccurrence) -> str:
    return f"{URL}occurrences/{occurrence.pk}/attendance/"


def test_a_booked_participant_joins_the_running_session_once(
    client_for: Any,
    occurrence: ClassOccurrence,
    instructor: Instructor,
    consenting_user: User,
) -> None:
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)
    services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="start")
    client = client_for(consenting_user)

    first = client.post(live_url(occurrence), format="json")
    reconnect = client.post(live_url(occurrence), format="json")

    assert (first.status_code, reconnect.status_code) == (201, 201)
    assert first.json()["id"] == reconnect.json()["id"]
    assert first.json()["occurrence"] == occurrence.pk
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize(
    ("actions", "code"), [((), "session_not_started"), (("start", "end"), "session_ended")]
)
def test_a_session_not_running_cannot_be_joined(
    client_for: Any,
    occurrence: ClassOccurrence,
    instructor: Instructor,
    consenting_user: User,
    actions: tuple[str, ...],
    code: str,
) -> None:
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)
    for action in actions:
        services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action=action)

    response = client_for(consenting_user).post(live_url(occurrence), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == code
    assert not Attendance.objects.exists()


def test_strangers_and_the_waiting_list_cannot_join_a_live_session(
    client_for: Any, instructor: Instructor, consenting_user: User, other_user: User
) -> None:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=1).occurrences.get()
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)
    services.booking_create(user=other_user, occurrence_id=occurrence.pk)  # waiting list
    services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="start")
    stranger = client_for(UserFactory.create(consented=True))

    waiting = client_for(other_user).post(live_url(occurrence), format="json")
    unknown = stranger.post(live_url(occurrence), format="json")
    teacher = client_for(instructor.user).post(live_url(occurrence), format="json")

    assert (waiting.status_code, unknown.status_code) == (404, 404)
    assert teacher.status_code == 403
    assert teacher.json()["error"]["code"] == "instructor"
    assert not Attendance.objects.exists()


def test_the_score_of_someone_elses_class_workout_is_a_404(
    client_for: Any, on_demand: FitnessClass, consenting_user: User, other_user: User
) -> None:
    workout_id = start(client_for(consenting_user), on_demand).json()["workout"]

    response = client_for(other_user).get(f"/api/v1/workouts/{workout_id}/score/")

    assert response.status_code == 404


def test_a_device_started_with_the_recording_values_records_into_the_class_workout(
    client_for: Any, on_demand: FitnessClass, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    body = start(client, on_demand).json()
    recording = body["recording"]

    device = client.post(
        "/api/v1/workouts/",
        {
            "sport": recording["sport"],
            "indoor": recording["indoor"],
            "started_at": dt.datetime.fromtimestamp(recording["started_at"], dt.UTC).isoformat(),
            "client_id": recording["client_id"],
        },
        format="json",
    )

    assert device.json()["id"] == body["workout"]
    assert Workout.objects.count() == 1
