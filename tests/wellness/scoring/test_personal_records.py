"""Timer pauses through storage and scoring, and personal records from best efforts (issue 20,
points 2, 10 and 12): stored at scoring, shown on the workout's score and at /me/records/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from devices.activity_files import export_fit, parse_activity
from devices.services import workout_export
from tests.factories import UserFactory
from wellness.people.models import User
from wellness.scoring.models import BestEffort, StoredScore
from wellness.scoring.pipeline import workouts_score
from wellness.scoring.privacy import scores_erase
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_create_with_samples

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
T0 = START.timestamp()


def run_samples(seconds: int, speed: float, *, offset: float = 0.0) -> list[dict[str, Any]]:
    return [
        {"t": T0 + offset + i, "hr": 150.0, "speed": speed, "distance": speed * i}
        for i in range(seconds)
    ]


def import_run(user: User, samples: list[dict[str, Any]], **kw: Any) -> Workout:
    return workout_create_with_samples(
        user=user,
        sport="run",
        indoor=False,
        source="file",
        started_at=dt.datetime.fromtimestamp(samples[0]["t"], tz=dt.UTC),
        ended_at=dt.datetime.fromtimestamp(samples[-1]["t"], tz=dt.UTC),
        samples=samples,
        **kw,
    )


def scored(user: User, samples: list[dict[str, Any]], **kw: Any) -> Workout:
    workout = import_run(user, samples, **kw)
    workouts_score(workout_ids=[workout.pk])
    return workout


def test_best_efforts_are_stored_at_scoring_and_replaced_on_a_rescore(
    consenting_user: User,
) -> None:
    # given a 25-minute run at 4 m/s (6 km)
    workout = scored(consenting_user, run_samples(1500, 4.0))
    # then its fastest 400 m .. 5 km are stored, once each even after scoring again
    workouts_score(workout_ids=[workout.pk])
    efforts = {e.name: e.value for e in BestEffort.objects.filter(workout=workout)}
    assert set(efforts) == {"400 m", "1 km", "1 mile", "5 km"}
    assert efforts["1 km"] == pytest.approx(250.0, abs=2.5)
    assert StoredScore.objects.get(workout=workout).metrics["best_times"]["5 km"] == efforts["5 km"]


def test_personal_records_are_the_best_per_distance_with_their_workout(
    client_for: Any, consenting_user: User
) -> None:
    # given a slower run, then a faster but shorter one
    slow = scored(consenting_user, run_samples(1500, 4.0))
    fast = scored(consenting_user, run_samples(600, 5.0, offset=86_400))
    # when the person asks for their records
    body = client_for(consenting_user).get("/api/v1/me/records/").json()
    # then each distance holds its best, from the workout it came from
    records = {r["name"]: r for r in body["records"]}
    assert [r["name"] for r in body["records"]] == ["400 m", "1 km", "1 mile", "5 km"]
    assert records["1 km"]["workout_id"] == fast.pk
    assert records["1 km"]["value"] == pytest.approx(200.0, abs=2.0)
    assert records["5 km"]["workout_id"] == slow.pk
    assert records["5 km"]["sport"] == "run"


def test_the_workout_score_marks_which_best_efforts_are_personal_records(
    client_for: Any, consenting_user: User
) -> None:
    scored(consenting_user, run_samples(1500, 4.0))
    fast = scored(consenting_user, run_samples(600, 5.0, offset=86_400))
    easy = scored(consenting_user, run_samples(1500, 3.5, offset=2 * 86_400))
    client = client_for(consenting_user)
    body = client.get(f"/api/v1/workouts/{fast.pk}/score/").json()
    assert [(r["name"], r["record"]) for r in body["records"]] == [
        ("400 m", True),
        ("1 km", True),
        ("1 mile", True),
    ]
    easy_body = client.get(f"/api/v1/workouts/{easy.pk}/score/").json()
    assert [r["record"] for r in easy_body["records"]] == [False] * 4


def test_a_flagged_workout_sets_no_record(consenting_user: User) -> None:
    # given a "run" at 15 m/s, faster than any human (flagged speed_implausible)
    workout = scored(consenting_user, run_samples(600, 15.0))
    assert StoredScore.objects.get(workout=workout).counts_for_leaderboards is False
    assert not BestEffort.objects.filter(workout=workout).exists()


def test_records_are_scoped_to_their_person(client_for: Any, consenting_user: User) -> None:
    scored(consenting_user, run_samples(600, 5.0))
    other = UserFactory.create()
    assert client_for(other).get("/api/v1/me/records/").json() == {"records": []}


def test_deleting_the_workout_gives_the_record_back_to_the_next_best(
    client_for: Any, consenting_user: User
) -> None:
    slow = scored(consenting_user, run_samples(600, 4.0))
    fast = scored(consenting_user, run_samples(600, 5.0, offset=86_400))
    fast.delete()
    body = client_for(consenting_user).get("/api/v1/me/records/").json()
    assert {r["workout_id"] for r in body["records"]} == {slow.pk}


def test_erasing_scores_erases_best_efforts(consenting_user: User) -> None:
    scored(consenting_user, run_samples(600, 5.0))
    scores_erase(consenting_user.pk)
    assert not BestEffort.objects.filter(user=consenting_user).exists()


# --- Timer pauses through import, storage, scoring and export -----------------------------------------
def ride_fit_with_a_stop() -> tuple[bytes, tuple[float, float]]:
    """A FIT ride: 20 minutes at 8 m/s, a 40-minute café stop with the timer stopped, 20 more."""
    t = np.concatenate((np.arange(1200.0), 1200.0 + 2400.0 + np.arange(1200.0)))
    moved = np.concatenate((np.arange(1200.0), 1200.0 + np.arange(1200.0))) * 8.0
    cols = {"t": T0 + t, "hr": np.full(t.size, 140.0), "speed": np.full(t.size, 8.0)}
    cols["distance"] = moved
    stop = (T0 + 1199.0, T0 + 3600.0)
    return export_fit(cols, sport="ride", started_at=START, pauses=[stop]), stop


def _upload(client: Any, name: str, data: bytes) -> Any:
    return client.post(
        "/api/v1/workouts/import/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


def test_an_imported_fit_keeps_its_pauses_and_scoring_leaves_them_out(
    client_for: Any, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    data, stop = ride_fit_with_a_stop()
    with django_capture_on_commit_callbacks(execute=True):
        body = _upload(client_for(consenting_user), "cafe.fit", data).json()
    workout = Workout.objects.get(pk=body["workout_id"])
    assert workout.pauses == [list(stop)]
    metrics = StoredScore.objects.get(workout=workout).metrics
    assert metrics["recorded_s"] == pytest.approx(2398.0)
    assert metrics["timer_pauses"] is True
    assert StoredScore.objects.get(workout=workout).flags == []
    assert body["pauses"] == 1


def test_a_fit_export_keeps_the_pauses_of_an_imported_workout(
    client_for: Any, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    data, stop = ride_fit_with_a_stop()
    workout_id = _upload(client, "cafe.fit", data).json()["workout_id"]
    exported = client.get(f"/api/v1/workouts/{workout_id}/export.fit")
    back = parse_activity(exported.content, "again.fit")
    assert back.pauses == (stop,)
    assert back.started_at == START


def test_a_live_workout_without_a_timer_exports_its_gaps_as_timer_pauses(
    consenting_user: User,
) -> None:
    # given a stored workout with no timer information and a 30-minute silence
    samples = run_samples(600, 3.0) + run_samples(600, 3.0, offset=2400.0)
    workout = import_run(consenting_user, samples)
    assert workout.pauses is None
    # when it is exported as FIT and read back, then the silence is a pause after 10 s
    _, exported = workout_export(user=consenting_user, workout_id=workout.pk, fmt="fit")
    back = parse_activity(exported.data, "x.fit")
    assert back.pauses == ((T0 + 599.0 + 10.0, T0 + 2400.0),)
