"""The owner's workouts API: list, detail, samples, start, finish, delete; others get 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import WorkoutFactory, hr_samples
from tests.helpers import ClientFor
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.workouts.models import SampleBatch, Workout
from wellness.workouts.services import workout_samples_store

pytestmark = pytest.mark.django_db

T0 = 1_764_000_000.0


def _store(workout: Workout, seq: int, samples: list[dict[str, object]]) -> None:
    workout_samples_store(
        user=workout.user, workout_id=workout.pk, device="strap", seq=seq, samples=samples
    )


def test_list_shows_only_my_workouts_newest_first_paginated(
    client_for: ClientFor, consenting_user: User
) -> None:
    older = WorkoutFactory.create(user=consenting_user)
    newer = WorkoutFactory.create(user=consenting_user, started_at=older.started_at.replace(day=21))
    WorkoutFactory.create()

    body = client_for(consenting_user).get("/api/v1/workouts/?page_size=1").json()

    assert body["count"] == 2
    assert [w["id"] for w in body["results"]] == [newer.pk]


def test_detail_shows_my_workout(client_for: ClientFor, consenting_user: User) -> None:
    workout = WorkoutFactory.create(user=consenting_user)

    body = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/").json()

    assert (body["id"], body["sport"], body["status"]) == (workout.pk, "run", "active")


def test_samples_come_back_merged_in_the_shared_format(
    client_for: ClientFor, consenting_user: User
) -> None:
    workout = WorkoutFactory.create(user=consenting_user)
    _store(workout, 2, [{"t": T0 + 1, "hr": 101, "rr": [590.0]}])
    _store(workout, 1, [{"t": T0, "hr": 100, "lat": 51.5, "lon": -0.12}])

    body = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/samples/").json()

    assert body == {
        "workout_id": workout.pk,
        "samples": [
            {"t": T0, "hr": 100.0, "lat": 51.5, "lon": -0.12},
            {"t": T0 + 1, "hr": 101.0, "rr": [590.0]},
        ],
    }


def test_delete_removes_my_workout_and_its_samples(
    client_for: ClientFor, consenting_user: User
) -> None:
    workout = WorkoutFactory.create(user=consenting_user)
    _store(workout, 1, hr_samples(T0, 3))

    response = client_for(consenting_user).delete(f"/api/v1/workouts/{workout.pk}/")

    assert response.status_code == 204
    assert not Workout.objects.exists()
    assert not SampleBatch.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("delete", ""), ("get", "samples/"), ("post", "finish/")],
)
def test_another_users_workout_is_not_found_and_unchanged(
    client_for: ClientFor, consenting_user: User, other_user: User, method: str, suffix: str
) -> None:
    theirs = WorkoutFactory.create(user=other_user)
    _store(theirs, 1, hr_samples(T0, 2))

    response = getattr(client_for(consenting_user), method)(
        f"/api/v1/workouts/{theirs.pk}/{suffix}", {}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Workout.objects.get(pk=theirs.pk).status == "active"
    assert SampleBatch.objects.filter(workout=theirs).count() == 1


def test_another_users_workouts_are_not_listed(
    client_for: ClientFor, consenting_user: User, other_user: User
) -> None:
    WorkoutFactory.create(user=other_user)

    assert client_for(consenting_user).get("/api/v1/workouts/").json()["results"] == []


def test_start_creates_a_workout_and_finish_ends_it(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)

    started = client.post(
        "/api/v1/workouts/",
        {"sport": "walk", "indoor": True, "started_at": "2026-11-24T07:00:00Z"},
        format="json",
    )
    finished = client.post(
        f"/api/v1/workouts/{started.json()['id']}/finish/",
        {"ended_at": "2026-11-24T07:45:00Z"},
        format="json",
    )

    assert started.status_code == 201
    assert started.json()["source"] == "companion"
    assert finished.json()["status"] == "finished"
    assert finished.json()["ended_at"] == "2026-11-24T07:45:00Z"


def test_starting_without_consent_is_403_and_creates_nothing(
    client_for: ClientFor, user: User
) -> None:
    response = client_for(user).post(
        "/api/v1/workouts/",
        {"sport": "run", "started_at": "2026-11-24T07:00:00Z"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert not Workout.objects.exists()


def test_invalid_start_is_400_and_creates_nothing(
    client_for: ClientFor, consenting_user: User
) -> None:
    response = client_for(consenting_user).post(
        "/api/v1/workouts/", {"sport": "swim", "started_at": "yesterday"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"sport", "started_at"}
    assert not Workout.objects.exists()


def test_an_ingest_token_may_start_a_workout_but_not_read_workouts(consenting_user: User) -> None:
    _, secret = access_token_create(user=consenting_user, name="phone", scope=TokenScope.INGEST)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    started = phone.post(
        "/api/v1/workouts/", {"sport": "run", "started_at": "2026-11-24T07:00:00Z"}, format="json"
    )
    listed = phone.get("/api/v1/workouts/")
    samples = phone.get(f"/api/v1/workouts/{started.json()['id']}/samples/")

    assert started.status_code == 201
    assert (listed.status_code, samples.status_code) == (403, 403)
