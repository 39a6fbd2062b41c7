"""Explicit, recorded consent to health-data processing (GDPR Art. 9), and its withdrawal."""

from __future__ import annotations

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.helpers import ClientFor
from wellness.people.models import ConsentRecord, Profile, User

pytestmark = pytest.mark.django_db


def test_consent_starts_absent(client_for: ClientFor, user: User) -> None:
    body = client_for(user).get("/api/v1/consent/health-data/").json()

    assert body["granted"] is False
    assert body["history"] == []


def test_granting_records_when_and_which_policy(client_for: ClientFor, user: User) -> None:
    body = (
        client_for(user)
        .post("/api/v1/consent/health-data/", {"granted": True}, format="json")
        .json()
    )

    assert body["granted"] is True
    assert body["history"][0]["policy_version"] == body["current_policy_version"]
    assert ConsentRecord.objects.filter(user=user, granted=True).count() == 1


def test_granting_twice_records_once(client_for: ClientFor, user: User) -> None:
    client = client_for(user)
    client.post("/api/v1/consent/health-data/", {"granted": True}, format="json")
    client.post("/api/v1/consent/health-data/", {"granted": True}, format="json")

    assert ConsentRecord.objects.filter(user=user).count() == 1


def test_withdrawing_stops_accepting_health_data_but_keeps_it(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    client.patch("/api/v1/me/", {"weight_kg": "60.0"}, format="json")

    body = client.post("/api/v1/consent/health-data/", {"granted": False}, format="json").json()
    refused = client.patch("/api/v1/me/", {"weight_kg": "61.0"}, format="json")

    assert body["granted"] is False
    assert [r["granted"] for r in body["history"]] == [False, True]
    assert refused.status_code == 403
    assert str(Profile.objects.get(user=consenting_user).weight_kg) == "60.0"


def test_withdrawing_with_erasure_deletes_stored_health_data(
    client_for: ClientFor,
    consenting_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = client_for(consenting_user)
    client.patch("/api/v1/me/", {"weight_kg": "60.0", "resting_heart_rate": 48}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/consent/health-data/",
            {"granted": False, "erase_health_data": True},
            format="json",
        )

    profile = Profile.objects.get(user=consenting_user)
    assert (profile.weight_kg, profile.resting_heart_rate) == (None, None)


def test_clearing_a_health_value_needs_no_consent(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    client.patch("/api/v1/me/", {"weight_kg": "60.0"}, format="json")
    client.post("/api/v1/consent/health-data/", {"granted": False}, format="json")

    response = client.patch("/api/v1/me/", {"weight_kg": None}, format="json")

    assert response.status_code == 200
    assert Profile.objects.get(user=consenting_user).weight_kg is None


def test_consent_input_must_say_granted_true_or_false(client_for: ClientFor, user: User) -> None:
    response = client_for(user).post(
        "/api/v1/consent/health-data/", {"granted": "perhaps"}, format="json"
    )

    assert response.status_code == 400
    assert "granted" in response.json()["error"]["fields"]
    assert not ConsentRecord.objects.exists()


def test_the_consent_error_names_the_method_that_grants_consent(
    client_for: ClientFor, user: User
) -> None:
    client = client_for(user)
    start = {"sport": "run", "started_at": "2026-11-24T07:00:00Z"}
    refused = client.post("/api/v1/workouts/", start, format="json").json()["error"]
    method, path = refused["message"].split(": ", 1)[1].split()[:2]

    granted = client.generic(method, path, '{"granted": true}', content_type="application/json")

    assert refused["code"] == "consent_required"
    assert (method, path) == ("POST", "/api/v1/consent/health-data/")
    assert granted.status_code in (200, 201)
    assert client.post("/api/v1/workouts/", start, format="json").status_code == 201
