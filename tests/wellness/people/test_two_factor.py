"""Two-factor authentication: enrol an authenticator app, sign in with its code or a recovery code;
required for staff and instructors, who reach nothing but enrolment until they have it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from wellness.classes.models import Instructor
from wellness.people.models import AccessToken, User
from wellness.people.twofactor import requires_two_factor, two_factor_roles

pytestmark = pytest.mark.django_db


def _signed_in(user: User, **extra: Any) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD, **extra}
    )
    assert response.status_code == 200, response.json()
    return client


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def _enrolled(user: User) -> tuple[APIClient, list[str]]:
    client = _signed_in(user)
    assert client.post("/api/v1/auth/two-factor/totp/").status_code == 201
    device = TOTPDevice.objects.get(user=user)
    confirmed = client.post("/api/v1/auth/two-factor/totp/confirm/", {"code": _code(device)})
    assert confirmed.status_code == 200, confirmed.json()
    return client, confirmed.json()["recovery_codes"]


def test_enrolment_returns_a_secret_and_confirming_gives_recovery_codes(user: User) -> None:
    client = _signed_in(user)

    enrolment = client.post("/api/v1/auth/two-factor/totp/").json()
    device = TOTPDevice.objects.get(user=user)
    confirmed = client.post("/api/v1/auth/two-factor/totp/confirm/", {"code": _code(device)})
    status = client.get("/api/v1/auth/two-factor/").json()

    assert enrolment["otpauth_url"].startswith("otpauth://totp/")
    assert "issuer=Wellverse" in enrolment["otpauth_url"]
    assert len(set(confirmed.json()["recovery_codes"])) == 10
    assert status == {
        "enabled": True,
        "required": False,
        "required_by": [],
        "recovery_codes_left": 10,
        "factors": ["totp", "recovery_code"],
        "passkeys": [],
        "verified": True,
    }


def test_confirming_with_a_wrong_code_enables_nothing(user: User) -> None:
    client = _signed_in(user)
    client.post("/api/v1/auth/two-factor/totp/")

    wrong = client.post("/api/v1/auth/two-factor/totp/confirm/", {"code": "000000"})

    assert wrong.status_code == 400
    assert client.get("/api/v1/auth/two-factor/").json()["enabled"] is False


def test_with_two_factor_a_password_alone_does_not_sign_in(user: User) -> None:
    _enrolled(user)
    client = APIClient()

    response = client.post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "two_factor_required"
    assert response.json()["error"]["factors"] == ["totp", "recovery_code"]
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_sign_in_with_the_current_code(user: User) -> None:
    _enrolled(user)
    device = TOTPDevice.objects.get(user=user)
    device.refresh_from_db()

    client = _signed_in(user, code=_code(device, drift=1))

    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/auth/two-factor/").json()["verified"] is True


def test_a_recovery_code_signs_in_once(user: User) -> None:
    _, codes = _enrolled(user)

    first = _signed_in(user, code=codes[0])
    again = APIClient().post(
        "/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD, "code": codes[0]}
    )

    assert first.get("/api/v1/auth/two-factor/").json()["recovery_codes_left"] == 9
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_code"


def test_wrong_codes_count_towards_the_lockout(user: User) -> None:
    _enrolled(user)
    statuses = [
        APIClient()
        .post(
            "/api/v1/auth/login/",
            {"email": user.email, "password": TEST_PASSWORD, "code": f"{n:06d}"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        .status_code
        for n in range(10)
    ]

    assert statuses == [400] * 9 + [429]


def test_the_token_sign_in_needs_the_second_factor_too(user: User) -> None:
    _, codes = _enrolled(user)
    body = {"email": user.email, "password": TEST_PASSWORD, "name": "script"}

    without = APIClient().post("/api/v1/auth/token/", body)
    with_code = APIClient().post("/api/v1/auth/token/", body | {"code": codes[1]})

    assert without.status_code == 401
    assert with_code.status_code == 201
    assert AccessToken.objects.filter(user=user).count() == 1


def test_a_token_cannot_create_tokens(user: User) -> None:
    created = _signed_in(user).post("/api/v1/tokens/", {"name": "cli"}).json()
    by_token = APIClient(headers={"Authorization": f"Bearer {created['token']}"})

    response = by_token.post("/api/v1/tokens/", {"name": "another"})

    assert response.status_code == 403
    assert AccessToken.objects.filter(user=user).count() == 1


def test_staff_and_instructors_require_two_factor(user: User, instructor: Instructor) -> None:
    staff = UserFactory.create(is_staff=True)

    assert two_factor_roles(staff) == ["staff"]
    assert two_factor_roles(instructor.user) == ["instructor"]
    assert requires_two_factor(user) is False


def test_an_instructor_without_two_factor_reaches_only_enrolment(instructor: Instructor) -> None:
    client = _signed_in(instructor.user)

    refused = client.get("/api/v1/classes/")
    token = client.post("/api/v1/tokens/", {"name": "cli"})
    status = client.get("/api/v1/auth/two-factor/")
    client.post("/api/v1/auth/two-factor/totp/")
    device = TOTPDevice.objects.get(user=instructor.user)
    client.post("/api/v1/auth/two-factor/totp/confirm/", {"code": _code(device)})

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "two_factor_enrolment_required"
    assert token.status_code == 403
    assert status.json()["required_by"] == ["instructor"]
    assert client.get("/api/v1/classes/").status_code == 200


def test_an_instructor_cannot_get_a_token_before_enrolling(instructor: Instructor) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": instructor.user.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 403
    assert AccessToken.objects.count() == 0


def test_a_required_second_factor_cannot_be_turned_off(instructor: Instructor) -> None:
    client, codes = _enrolled(instructor.user)

    response = client.delete(
        "/api/v1/auth/two-factor/", {"password": TEST_PASSWORD, "code": codes[0]}
    )

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=instructor.user).exists()


def test_an_optional_second_factor_can_be_turned_off(user: User) -> None:
    client, codes = _enrolled(user)

    response = client.delete(
        "/api/v1/auth/two-factor/", {"password": TEST_PASSWORD, "code": codes[0]}
    )

    assert response.status_code == 200
    assert response.json()["enabled"] is False


def test_staff_without_two_factor_cannot_reach_the_admin(db: None) -> None:
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(staff)

    response = browser.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_with_a_code_reaches_the_admin(db: None) -> None:
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, confirmed=True)
    browser = Client()

    browser.post(
        "/admin/login/",
        {"username": staff.email, "password": TEST_PASSWORD, "otp_device": device.persistent_id,
         "otp_token": _code(device)},
    )  # fmt: skip

    assert browser.get("/admin/").status_code == 200
