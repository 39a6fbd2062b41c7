"""Sign-up, sign-in and sign-out for the web (session + CSRF) and API clients (tokens)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import TEST_PASSWORD
from wellness.people.models import AccessToken, Profile, TokenScope, User

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase"


def _sign_up(client: APIClient, email: str, password: str = STRONG, **extra: Any) -> Any:
    return client.post(
        "/api/v1/auth/signup/",
        {"email": email, "password": password, "display_name": "Ada"},
        format="json",
        **extra,
    )


def _link_in(message: Any) -> dict[str, Any]:
    """The confirm endpoint's body from the emailed link (``/confirm-email?user=..&token=..``)."""
    found = re.search(r"http://testserver/confirm-email\?user=(\d+)&token=([\w-]+)", message.body)
    assert found, message.body
    return {"user_id": int(found[1]), "token": found[2]}


def test_sign_up_emails_a_link_that_confirms_the_address_and_signs_in(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = APIClient()

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, "Ada@Example.test")

    assert response.status_code == 202
    assert response.json()["email"] == "ada@example.test"
    assert "Check your inbox" in response.json()["detail"]
    user = User.objects.get(email="ada@example.test")
    assert (user.is_active, user.awaiting_confirmation) == (False, True)
    assert client.get("/api/v1/me/").status_code in (401, 403)
    (message,) = mail.outbox
    assert message.to == ["ada@example.test"]

    confirmed = client.post("/api/v1/auth/signup/confirm/", _link_in(message), format="json")

    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "ada@example.test"
    assert Profile.objects.get(user__email="ada@example.test").display_name == "Ada"
    assert client.get("/api/v1/me/").status_code == 200


def test_sign_up_with_a_registered_address_answers_the_same_and_tells_the_owner(
    user: User, django_capture_on_commit_callbacks: Any
) -> None:
    password_before = user.password

    with django_capture_on_commit_callbacks(execute=True):
        new = _sign_up(APIClient(), "new@example.test")
        taken = _sign_up(APIClient(), user.email.upper())

    assert (taken.status_code, new.status_code) == (202, 202)
    assert taken.json() == {
        "email": user.email,
        "detail": new.json()["detail"].replace("new@example.test", user.email),
    }
    assert set(taken.cookies) == set(new.cookies)
    user.refresh_from_db()
    assert user.password == password_before
    assert User.objects.filter(email=user.email).count() == 1
    to_owner = [m for m in mail.outbox if m.to == [user.email]]
    assert len(to_owner) == 1
    assert "someone tried to sign up" in to_owner[0].subject
    assert "confirm-email" not in to_owner[0].body


def test_an_unconfirmed_account_cannot_sign_in_and_looks_unknown(db: None) -> None:
    _sign_up(APIClient(), "ada@example.test")

    unconfirmed = APIClient().post(
        "/api/v1/auth/login/", {"email": "ada@example.test", "password": STRONG}, format="json"
    )
    unknown = APIClient().post(
        "/api/v1/auth/login/", {"email": "bob@example.test", "password": STRONG}, format="json"
    )

    assert unconfirmed.status_code == unknown.status_code == 400
    assert unconfirmed.json() == unknown.json()


def test_a_confirmation_link_works_once(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(APIClient(), "ada@example.test")
    link = _link_in(mail.outbox[0])
    assert APIClient().post("/api/v1/auth/signup/confirm/", link, format="json").status_code == 200

    again = APIClient().post("/api/v1/auth/signup/confirm/", link, format="json")
    forged = APIClient().post(
        "/api/v1/auth/signup/confirm/", {**link, "token": "x" + link["token"]}, format="json"
    )

    assert again.status_code == forged.status_code == 400
    assert again.json()["error"]["code"] == "invalid_link"
    assert "_auth_user_id" not in again.client.session


def test_signing_up_again_before_confirming_sends_a_new_link_for_the_new_password(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(APIClient(), "ada@example.test", "first-long-passphrase-1")
        _sign_up(APIClient(), "ada@example.test", "second-long-passphrase-2")
    first, second = (_link_in(m) for m in mail.outbox)

    stale = APIClient().post("/api/v1/auth/signup/confirm/", first, format="json")
    fresh = APIClient().post("/api/v1/auth/signup/confirm/", second, format="json")

    assert (stale.status_code, fresh.status_code) == (400, 200)
    assert User.objects.get(email="ada@example.test").check_password("second-long-passphrase-2")


def test_an_account_an_admin_activated_is_not_taken_over_by_signing_up_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _sign_up(APIClient(), "ada@example.test", "the-owners-passphrase-1")
    User.objects.filter(email="ada@example.test").update(is_active=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(APIClient(), "ada@example.test", "an-intruders-passphrase-2")

    assert response.status_code == 202
    user = User.objects.get(email="ada@example.test")
    assert user.check_password("the-owners-passphrase-1")
    assert [m.subject for m in mail.outbox] == [
        "Wellverse: someone tried to sign up with your address"
    ]


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting the passwords it hashes."""

    hashed = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("registered", [False, True])
def test_sign_up_hashes_one_password_and_sends_one_email_either_way(
    registered: bool, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The work (and so the time) does not depend on whether the address has an account."""
    if registered:
        User.objects.create_user(email="ada@example.test", password=STRONG)
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.hashed = 0

    with django_capture_on_commit_callbacks(execute=True):
        assert _sign_up(APIClient(), "ada@example.test").status_code == 202

    assert (CountingHasher.hashed, len(mail.outbox)) == (1, 1)


def test_sign_up_is_throttled_per_client_address(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})

    statuses = [
        _sign_up(
            APIClient(), f"person{n}@example.test", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]

    assert statuses == [202, 202, 202, 429, 429]
    assert User.objects.count() == 3


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
