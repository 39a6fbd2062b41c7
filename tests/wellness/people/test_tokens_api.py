"""Named, hashed, revocable access tokens for bridges, phones and scripts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.helpers import ClientFor
from wellness.people.models import AccessToken, User
from wellness.people.tokens import token_digest

pytestmark = pytest.mark.django_db


def test_created_token_is_shown_once_and_stored_only_as_a_digest(
    client_for: ClientFor, user: User
) -> None:
    client = client_for(user)

    created = client.post("/api/v1/tokens/", {"name": "Garmin strap bridge"}, format="json").json()
    listed = client.get("/api/v1/tokens/").json()["results"]

    stored = AccessToken.objects.get()
    assert created["scope"] == "ingest"
    assert stored.digest == token_digest(created["token"])
    assert created["token"] not in {stored.digest, stored.prefix}
    assert created["token"].startswith(stored.prefix + "_")
    assert "token" not in listed[0]
    assert listed[0]["name"] == "Garmin strap bridge"


def test_ingest_token_cannot_use_the_rest_of_the_api(client_for: ClientFor, user: User) -> None:
    secret = (
        client_for(user).post("/api/v1/tokens/", {"name": "phone"}, format="json").json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert "scope" in response.json()["error"]["message"]


def test_revoked_token_no_longer_authenticates(client_for: ClientFor, user: User) -> None:
    owner = client_for(user)
    created = owner.post("/api/v1/tokens/", {"name": "cli", "scope": "api"}, format="json").json()
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {created['token']}")
    assert bearer.get("/api/v1/me/").status_code == 200

    assert owner.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204

    response = bearer.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert owner.get(f"/api/v1/tokens/{created['id']}/").json()["revoked_at"] is not None


def test_another_users_token_is_not_found_and_stays_active(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    theirs = client_for(other_user).post("/api/v1/tokens/", {"name": "x"}, format="json").json()
    me = client_for(user)

    assert me.get(f"/api/v1/tokens/{theirs['id']}/").status_code == 404
    assert me.delete(f"/api/v1/tokens/{theirs['id']}/").status_code == 404
    assert me.get("/api/v1/tokens/").json()["results"] == []
    assert AccessToken.objects.get(pk=theirs["id"]).revoked_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"name": ""}, "name"), ({"name": "x", "scope": "root"}, "scope"), ({}, "name")],
)
def test_invalid_token_requests_are_refused_and_create_nothing(
    client_for: ClientFor, user: User, payload: dict[str, str], field: str
) -> None:
    response = client_for(user).post("/api/v1/tokens/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not AccessToken.objects.exists()


def test_malformed_authorization_header_is_a_clear_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]
