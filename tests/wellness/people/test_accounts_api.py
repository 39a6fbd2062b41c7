"""Sign-up, sign-in and sign-out for the web (session + CSRF) and API clients (tokens)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import TEST_PASSWORD
from wellness.people.models import AccessToken, Profile, TokenScope, User

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase"


def test_sign_up_creates_account_and_profile_and_signs_in() -> None:
    client = APIClient()

    response = client.post(
        "/api/v1/auth/signup/",
        {"email": "Ada@Example.test", "password": STRONG, "display_name": "Ada"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["email"] == "ada@example.test"
    assert Profile.objects.get(user__email="ada@example.test").display_name == "Ada"
    assert client.get("/api/v1/me/").status_code == 200


def test_sign_up_with_taken_email_is_refused_and_creates_nothing(user: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/signup/", {"email": user.email.upper(), "password": STRONG}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "already exists" in response.json()["error"]["fields"]["email"][0]
    assert User.objects.count() == 1


def test_sign_up_with_weak_password_explains_why() -> None:
    response = APIClient().post(
        "/api/v1/auth/signup/", {"email": "b@example.test", "password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"]
    assert not User.objects.exists()


def test_session_sign_in_requires_a_csrf_token() -> None:
    User.objects.create_user(email="c@example.test", password=STRONG)
    Profile.objects.create(user=User.objects.get(), display_name="C")
    browser = APIClient(enforce_csrf_checks=True)
    credentials = {"email": "c@example.test", "password": STRONG}

    refused = browser.post("/api/v1/auth/login/", credentials, format="json")
    token = browser.get("/api/v1/auth/csrf/").json()["csrf_token"]
    accepted = browser.post(
        "/api/v1/auth/login/", credentials, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert accepted.status_code == 200
    assert browser.get("/api/v1/me/").status_code == 200


def test_sign_in_with_wrong_password_is_a_clear_400(user: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/login/", {"email": user.email, "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_sign_out_ends_the_session(user: User) -> None:
    client = APIClient()
    client.post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD})

    response = client.post("/api/v1/auth/logout/")

    assert response.status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_sign_in_returns_an_api_token_that_authenticates(user: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": TEST_PASSWORD, "name": "my script"},
        format="json",
    )
    secret = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 201
    assert AccessToken.objects.get().scope == TokenScope.API
    assert client.get("/api/v1/me/").json()["email"] == user.email


def test_signing_out_with_a_token_revokes_it(user: User) -> None:
    secret = (
        APIClient()
        .post(
            "/api/v1/auth/token/", {"email": user.email, "password": TEST_PASSWORD}, format="json"
        )
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    client.post("/api/v1/auth/logout/")

    assert AccessToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/me/").status_code == 401


def test_auth_endpoints_are_throttled(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    client = APIClient()
    attempt = {"email": user.email, "password": "guess"}

    statuses = [client.post("/api/v1/auth/login/", attempt).status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]
    assert client.post("/api/v1/auth/login/", attempt).json()["error"]["code"] == "throttled"
