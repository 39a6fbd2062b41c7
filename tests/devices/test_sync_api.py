"""The companion's sync API: idempotent uploads, size limits, late and out-of-order batches."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from benchmarks._sync_client import samples_as_columns
from tests.factories import WorkoutFactory, hr_samples
from tests.helpers import ClientFor
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create, consent_withdraw
from wellness.workouts.models import IdempotencyKey, SampleBatch, Workout
from wellness.workouts.selectors import workout_frame, workout_rr
from wellness.workouts.services import workout_samples_store

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

T0 = 1_764_000_000.0


def upload(client: APIClient, workout_id: int, key: str | None, body: Any, **extra: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        f"/api/v1/workouts/{workout_id}/samples/",
        json.dumps(body),
        content_type="application/json",
        **headers,
        **extra,
    )


def batch(seq: int, samples: list[Any] | None = None, device: str = "phone") -> dict[str, Any]:
    return {"device": device, "seq": seq, "samples": samples or hr_samples(T0 + 10 * seq, 10)}


def columns_batch(
    seq: int, samples: list[Any] | None = None, device: str = "phone"
) -> dict[str, Any]:
    return {
        "device": device,
        "seq": seq,
        "columns": samples_as_columns(samples or hr_samples(T0 + 10 * seq, 10)),
    }


# Both wire formats: the per-sample list, and the columns the phone companion sends.
BOTH_FORMATS = pytest.mark.parametrize(
    "make_batch", [batch, columns_batch], ids=["samples", "columns"]
)


@pytest.fixture
def workout(consenting_user: User) -> Workout:
    return WorkoutFactory.create(user=consenting_user, source="companion")


def test_an_upload_is_stored_and_acknowledged(client_for: ClientFor, workout: Workout) -> None:
    response = upload(client_for(workout.user), workout.pk, "k1", batch(1))

    assert response.status_code == 201
    assert response.json() == {
        "workout_id": workout.pk, "device": "phone", "seq": 1, "samples": 10, "stored": True,
    }  # fmt: skip
    assert workout_frame(workout=workout)["t"].tolist() == [T0 + 10 + i for i in range(10)]


@BOTH_FORMATS
def test_the_same_batch_sent_twice_is_stored_once_and_answered_identically(
    client_for: ClientFor, workout: Workout, make_batch: Any
) -> None:
    client = client_for(workout.user)

    first = upload(client, workout.pk, "k1", make_batch(1))
    second = upload(client, workout.pk, "k1", make_batch(1))

    assert (second.status_code, second.json()) == (first.status_code, first.json())
    assert SampleBatch.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@BOTH_FORMATS
def test_the_same_key_with_a_different_payload_is_422_and_stores_nothing(
    client_for: ClientFor, workout: Workout, make_batch: Any
) -> None:
    client = client_for(workout.user)
    upload(client, workout.pk, "k1", make_batch(1))

    response = upload(client, workout.pk, "k1", make_batch(2))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert list(SampleBatch.objects.values_list("seq", flat=True)) == [1]


def test_late_and_out_of_order_batches_make_one_sorted_series(
    client_for: ClientFor, workout: Workout
) -> None:
    client = client_for(workout.user)

    for seq in (3, 1, 2):
        assert upload(client, workout.pk, f"k{seq}", batch(seq)).status_code == 201

    frame = workout_frame(workout=workout)
    assert frame["t"].tolist() == [T0 + 10 + i for i in range(30)]


def test_an_ingest_token_can_upload(workout: Workout) -> None:
    _, secret = access_token_create(user=workout.user, name="phone", scope=TokenScope.INGEST)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert upload(phone, workout.pk, "k1", batch(1)).status_code == 201
    assert SampleBatch.objects.count() == 1


@BOTH_FORMATS
def test_too_many_samples_is_413_naming_the_limit_and_stores_nothing(
    client_for: ClientFor, workout: Workout, settings: Settings, make_batch: Any
) -> None:
    settings.WELLVERSE_MAX_SAMPLES_PER_BATCH = 100

    response = upload(
        client_for(workout.user), workout.pk, "k1", make_batch(1, hr_samples(T0, 101))
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert "at most 100 samples" in response.json()["error"]["message"]
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_too_many_bytes_is_413_naming_the_limit_and_stores_nothing(
    client_for: ClientFor, workout: Workout, settings: Settings
) -> None:
    settings.WELLVERSE_SYNC_MAX_BYTES = 1000

    response = upload(client_for(workout.user), workout.pk, "k1", batch(1, hr_samples(T0, 100)))

    assert response.status_code == 413
    assert "at most 1,000 bytes" in response.json()["error"]["message"]
    assert not SampleBatch.objects.exists()


@pytest.mark.parametrize(
    ("key", "body", "field"),
    [
        (None, batch(1), "Idempotency-Key"),
        ("k", {"seq": 1, "samples": hr_samples(T0, 1)}, "device"),
        ("k", {"device": "p", "seq": 0, "samples": hr_samples(T0, 1)}, "seq"),
        ("k", {"device": "p", "seq": "1", "samples": hr_samples(T0, 1)}, "seq"),
        ("k", {"device": "p", "seq": 1, "samples": []}, "samples"),
        ("k", {"device": "p", "seq": 1, "samples": [{"t": T0}, {"hr": 80}]}, "samples"),
        ("k", {"device": "p", "seq": 1, "samples": [{"t": T0, "hr": 80, "spo2": 97}]}, "samples"),
    ],
)
def test_an_invalid_upload_is_400_and_stores_nothing(
    client_for: ClientFor, workout: Workout, key: str | None, body: dict[str, Any], field: str
) -> None:
    response = upload(client_for(workout.user), workout.pk, key, body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_body_that_is_not_a_json_object_is_400_and_stores_nothing(
    client_for: ClientFor, workout: Workout
) -> None:
    response = client_for(workout.user).post(
        f"/api/v1/workouts/{workout.pk}/samples/", "[1, 2", content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not SampleBatch.objects.exists()


def test_a_body_that_is_not_json_is_415_and_stores_nothing(
    client_for: ClientFor, workout: Workout
) -> None:
    response = client_for(workout.user).post(
        f"/api/v1/workouts/{workout.pk}/samples/", json.dumps(batch(1)), content_type="text/plain",
        HTTP_IDEMPOTENCY_KEY="k",
    )  # fmt: skip

    assert response.status_code == 415
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


@BOTH_FORMATS
def test_uploading_to_another_users_workout_is_404_and_stores_nothing(
    client_for: ClientFor, workout: Workout, other_user: User, make_batch: Any
) -> None:
    response = upload(client_for(other_user), workout.pk, "k1", make_batch(1))

    assert response.status_code == 404
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


@BOTH_FORMATS
def test_uploading_without_consent_is_403_and_stores_nothing(
    client_for: ClientFor, workout: Workout, make_batch: Any
) -> None:
    consent_withdraw(user=workout.user)

    response = upload(client_for(workout.user), workout.pk, "k1", make_batch(1))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


# --- The columnar wire format (what the phone companion sends) ------------------------------------


def test_a_batch_sent_as_columns_is_stored_as_the_same_samples(
    client_for: ClientFor, workout: Workout
) -> None:
    samples = [
        {"t": T0, "hr": 120, "rr": [500.0, 498.0]},
        {"t": T0 + 1, "speed": 3.2, "lat": 51.5, "lon": -0.1},
        {"t": T0 + 2, "hr": 121, "rr": [503.0]},
    ]

    response = upload(client_for(workout.user), workout.pk, "k1", columns_batch(1, samples))

    assert response.status_code == 201
    assert response.json() == {
        "workout_id": workout.pk, "device": "phone", "seq": 1, "samples": 3, "stored": True,
    }  # fmt: skip
    assert workout_samples_store(
        user=workout.user, workout_id=workout.pk, device="phone", seq=1, samples=samples
    ).created is False  # fmt: skip
    assert workout_rr(workout=workout).tolist() == [500.0, 498.0, 503.0]
    stored = client_for(workout.user).get(f"/api/v1/workouts/{workout.pk}/samples/").json()
    assert stored["samples"] == [
        {"t": T0, "hr": 120.0, "rr": [500.0, 498.0]},
        {"t": T0 + 1, "speed": 3.2, "lat": 51.5, "lon": -0.1},
        {"t": T0 + 2, "hr": 121.0, "rr": [503.0]},
    ]


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"t": [T0, T0 + 1], "hr": [120]}, "columns.hr: must be a list of 2 values"),
        ({"t": [T0, T0 + 1], "hr": [120, 301]}, "columns.hr[1]: hr must be a number from 0 to 300"),
        ({"t": [T0, T0 + 1], "hr": [120, True]}, "columns.hr[1]: hr must be a number"),
        ({"t": [T0], "spo2": [97]}, "unknown column 'spo2'"),
        ({"t": [T0, None]}, "columns.t[1]: t (UNIX seconds) is required"),
        ({"t": []}, "columns.t: a non-empty list"),
        ({"t": [T0], "rr": [20], "rr_counts": [1]}, "columns.rr[0]: rr intervals must be"),
        ({"t": [T0], "rr": [500, 501], "rr_counts": [1]}, "rr_counts add up to 1 but rr has 2"),
        ([T0], "columns: must be an object"),
    ],
)
def test_an_invalid_columnar_upload_is_400_naming_the_fault_and_stores_nothing(
    client_for: ClientFor, workout: Workout, columns: Any, problem: str
) -> None:
    body = {"device": "phone", "seq": 1, "columns": columns}

    response = upload(client_for(workout.user), workout.pk, "k1", body)

    assert response.status_code == 400
    assert problem in response.json()["error"]["fields"]["columns"][0]
    assert problem in response.json()["error"]["message"]
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_samples_and_columns_in_one_upload_are_400_and_store_nothing(
    client_for: ClientFor, workout: Workout
) -> None:
    body = {**batch(1), "columns": samples_as_columns(hr_samples(T0, 2))}

    response = upload(client_for(workout.user), workout.pk, "k1", body)

    assert response.status_code == 400
    assert "not both" in response.json()["error"]["message"]
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"device": "p", "seq": 1, "samples": [{"t": 1764000000, "hr": NaN}]}',
        '{"device": "p", "seq": 1, "samples": [{"t": 1764000000, "hr": Infinity}]}',
        '{"device": "p", "seq": 1, "columns": {"t": [1764000000], "hr": [1e999]}}',
        '{"device": "p", "seq": 1, "columns": {"t": [1764000000], "hr": [-Infinity]}}',
    ],
)
def test_nan_or_infinity_in_an_upload_is_400_and_stores_nothing(
    client_for: ClientFor, workout: Workout, raw: str
) -> None:
    response = client_for(workout.user).post(
        f"/api/v1/workouts/{workout.pk}/samples/", raw, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not SampleBatch.objects.exists()
    assert not IdempotencyKey.objects.exists()
