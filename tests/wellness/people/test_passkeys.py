"""Passkeys (WebAuthn) as a second factor: added from a signed-in session, then used after the
password. A software authenticator signs real payloads; the verification is not mocked."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from tests.wellness.care.factories import make_clinician
from tests.wellness.people.authenticator import SoftwareAuthenticator
from wellness.classes.models import Instructor
from wellness.people.models import Passkey, User
from wellness.people.passkeys import (
    PENDING_SIGN_IN_SECONDS,
    PasskeyRefused,
    RelyingParty,
    passkey_authentication_begin,
    passkey_authentication_complete,
    passkey_registration_begin,
    passkey_registration_complete,
    sign_in_pending_start,
)
from wellness.people.twofactor import two_factor_enabled

pytestmark = pytest.mark.django_db

PASSWORD_STEP = "/api/v1/auth/login/"
SIGN_IN_OPTIONS = "/api/v1/auth/login/passkey/options/"
SIGN_IN = "/api/v1/auth/login/passkey/"
ADD_OPTIONS = "/api/v1/auth/two-factor/passkeys/options/"
PASSKEYS = "/api/v1/auth/two-factor/passkeys/"


@pytest.fixture(autouse=True)
def _relying_party(settings: Settings) -> None:
    # The test client's host: the origin the browser would sign.
    settings.WEBAUTHN_RP_ID = "testserver"


def _signed_in(user: User) -> APIClient:
    client = APIClient()
    response = client.post(PASSWORD_STEP, {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.json()
    return client


def _add_passkey(client: APIClient, authenticator: SoftwareAuthenticator) -> Any:
    options = client.post(ADD_OPTIONS).json()["public_key"]
    credential = authenticator.create(options)
    return client.post(PASSKEYS, {"name": "Laptop", "credential": credential}, format="json")


def _enrolled(user: User) -> tuple[APIClient, SoftwareAuthenticator, list[str]]:
    client, authenticator = _signed_in(user), SoftwareAuthenticator()
    added = _add_passkey(client, authenticator)
    assert added.status_code == 201, added.json()
    return client, authenticator, added.json()["recovery_codes"]


def _password_step(user: User, **extra: Any) -> tuple[APIClient, Any]:
    client = APIClient()
    response = client.post(PASSWORD_STEP, {"email": user.email, "password": TEST_PASSWORD}, **extra)
    return client, response


def _passkey_step(
    client: APIClient, authenticator: SoftwareAuthenticator, **extra: Any
) -> tuple[dict[str, Any], Any]:
    options = client.post(SIGN_IN_OPTIONS, **extra).json()["public_key"]
    assertion = authenticator.get(options)
    return assertion, client.post(SIGN_IN, {"credential": assertion}, format="json", **extra)


def test_a_first_passkey_turns_two_factor_on_and_gives_recovery_codes(user: User) -> None:
    client, authenticator = _signed_in(user), SoftwareAuthenticator()

    options = client.post(ADD_OPTIONS).json()["public_key"]
    added = client.post(
        PASSKEYS, {"name": "Laptop", "credential": authenticator.create(options)}, format="json"
    )
    status = client.get("/api/v1/auth/two-factor/").json()

    assert options["rp"] == {"id": "testserver", "name": "Wellverse"}
    assert options["attestation"] == "none"
    assert added.status_code == 201
    assert len(set(added.json()["recovery_codes"])) == 10
    assert status["enabled"] is True
    assert status["verified"] is True
    assert [p["name"] for p in status["passkeys"]] == ["Laptop"]
    assert Passkey.objects.get(user=user).public_key


def test_a_second_passkey_gives_no_new_recovery_codes(user: User) -> None:
    client, _, codes = _enrolled(user)

    second = _add_passkey(client, SoftwareAuthenticator())

    assert second.status_code == 201
    assert second.json()["recovery_codes"] == []
    assert client.get("/api/v1/auth/two-factor/").json()["recovery_codes_left"] == len(codes)
    assert len(client.get(PASSKEYS).json()) == 2


def test_a_replayed_registration_is_refused(user: User) -> None:
    client, authenticator = _signed_in(user), SoftwareAuthenticator()
    options = client.post(ADD_OPTIONS).json()["public_key"]
    credential = authenticator.create(options)
    client.post(PASSKEYS, {"credential": credential}, format="json")
    client.post(ADD_OPTIONS)

    again = client.post(PASSKEYS, {"credential": credential}, format="json")

    assert again.status_code == 400
    assert Passkey.objects.filter(user=user).count() == 1


def test_a_passkey_for_another_site_is_refused(user: User) -> None:
    client = _signed_in(user)

    added = _add_passkey(client, SoftwareAuthenticator(rp_id="evil.example"))

    assert added.status_code == 400
    assert added.json()["error"]["code"] == "invalid_passkey"
    assert not Passkey.objects.filter(user=user).exists()


def test_the_password_alone_says_which_factors_are_possible_and_signs_in_nobody(
    user: User,
) -> None:
    _enrolled(user)

    client, response = _password_step(user)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "two_factor_required"
    assert response.json()["error"]["factors"] == ["webauthn", "recovery_code"]
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_sign_in_with_the_password_then_the_passkey(user: User) -> None:
    _, authenticator, _ = _enrolled(user)
    client, _ = _password_step(user)

    _, signed_in = _passkey_step(client, authenticator)

    assert signed_in.status_code == 200, signed_in.json()
    assert signed_in.json()["email"] == user.email
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/auth/two-factor/").json()["verified"] is True
    passkey = Passkey.objects.get(user=user)
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None


def test_the_pending_sign_in_reaches_nothing_else(user: User) -> None:
    _enrolled(user)
    client, _ = _password_step(user)

    statuses = [
        client.get("/api/v1/me/").status_code,
        client.get("/api/v1/auth/two-factor/").status_code,
        client.post(ADD_OPTIONS).status_code,
        client.get("/api/v1/tokens/").status_code,
        client.post("/api/v1/tokens/", {"name": "cli"}).status_code,
        client.get("/api/v1/workouts/").status_code,
    ]

    assert set(statuses) <= {401, 403}
    browser = Client()
    browser.cookies = client.cookies
    assert browser.get("/admin/").status_code == 302
    assert client.post(SIGN_IN_OPTIONS).status_code == 200


def test_the_passkey_step_needs_the_password_step_first(user: User) -> None:
    _enrolled(user)

    response = APIClient().post(SIGN_IN_OPTIONS)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "two_factor_not_pending"


def test_a_replayed_assertion_is_refused(user: User) -> None:
    _, authenticator, _ = _enrolled(user)
    first, _ = _password_step(user)
    assertion, _ = _passkey_step(first, authenticator)
    second, _ = _password_step(user)
    second.post(SIGN_IN_OPTIONS)

    replayed = second.post(SIGN_IN, {"credential": assertion}, format="json")

    assert replayed.status_code == 400
    assert replayed.json()["error"]["code"] == "invalid_passkey"
    assert second.get("/api/v1/me/").status_code in (401, 403)


def test_the_same_challenge_is_not_accepted_twice(user: User) -> None:
    _, authenticator, _ = _enrolled(user)
    client, _ = _password_step(user)
    assertion, _ = _passkey_step(client, authenticator)
    client.post("/api/v1/auth/logout/")
    client.post(PASSWORD_STEP, {"email": user.email, "password": TEST_PASSWORD})

    again = client.post(SIGN_IN, {"credential": assertion}, format="json")

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "passkey_challenge_expired"


def test_a_cloned_authenticator_with_an_old_sign_count_is_refused(user: User) -> None:
    _, authenticator, _ = _enrolled(user)
    client, _ = _password_step(user)
    _passkey_step(client, authenticator)
    authenticator.sign_count = 0
    clone, _ = _password_step(user)

    _, response = _passkey_step(clone, authenticator)

    assert response.status_code == 400
    assert Passkey.objects.get(user=user).sign_count == 1


def test_wrong_passkey_answers_count_towards_the_lockout(user: User) -> None:
    _, authenticator, _ = _enrolled(user)
    impostor = SoftwareAuthenticator()
    impostor.credential_id = authenticator.credential_id
    statuses = []
    for n in range(10):
        address = {"REMOTE_ADDR": f"203.0.113.{n}"}
        client, _ = _password_step(user, **address)
        statuses.append(_passkey_step(client, impostor, **address)[1].status_code)

    assert statuses == [400] * 9 + [429]
    _, locked = _password_step(user, REMOTE_ADDR="203.0.113.99")
    assert locked.status_code == 429


def test_adding_a_factor_from_a_session_without_the_second_factor_is_refused(
    user: User,
) -> None:
    earlier = _signed_in(user)
    _enrolled(user)

    response = earlier.post(ADD_OPTIONS)
    totp = earlier.post("/api/v1/auth/two-factor/totp/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "two_factor_required"
    assert totp.status_code == 401


@pytest.mark.parametrize("role", ["staff", "clinician", "instructor"])
def test_a_passkey_alone_is_the_second_factor_a_role_requires(
    role: str, instructor: Instructor
) -> None:
    person = {
        "staff": lambda: UserFactory.create(is_staff=True, is_superuser=True),
        "clinician": lambda: make_clinician().user,
        "instructor": lambda: instructor.user,
    }[role]()
    enrolling = _signed_in(person)
    before = enrolling.get("/api/v1/tokens/")

    _add_passkey(enrolling, SoftwareAuthenticator())
    authenticator = SoftwareAuthenticator()
    _add_passkey(enrolling, authenticator)
    client, _ = _password_step(person)
    _passkey_step(client, authenticator)

    assert before.status_code == 403
    assert before.json()["error"]["code"] == "two_factor_enrolment_required"
    assert enrolling.get("/api/v1/tokens/").status_code == 200
    assert client.get("/api/v1/tokens/").status_code == 200
    if role == "staff":
        browser = Client()
        browser.cookies = client.cookies
        assert browser.get("/admin/").status_code == 200


def test_deleting_a_passkey_needs_the_password_and_a_code(user: User) -> None:
    client, _, codes = _enrolled(user)
    passkey = Passkey.objects.get(user=user)
    url = f"{PASSKEYS}{passkey.pk}/"

    wrong = client.delete(url, {"password": "nope", "code": codes[0]})
    deleted = client.delete(url, {"password": TEST_PASSWORD, "code": codes[0]})

    assert wrong.status_code == 400
    assert deleted.status_code == 200
    assert deleted.json()["passkeys"] == []
    # Recovery codes alone are no second factor: with the last passkey gone, 2FA is off.
    assert deleted.json()["enabled"] is False


def test_another_persons_passkey_is_not_found(user: User) -> None:
    _enrolled(user)
    other = UserFactory.create()
    other_client, _, codes = _enrolled(other)
    mine = Passkey.objects.get(user=user)

    response = other_client.delete(
        f"{PASSKEYS}{mine.pk}/", {"password": TEST_PASSWORD, "code": codes[0]}
    )

    assert response.status_code == 404
    assert Passkey.objects.filter(pk=mine.pk).exists()


def test_a_role_cannot_delete_its_last_second_factor(instructor: Instructor) -> None:
    client, _, codes = _enrolled(instructor.user)
    passkey = Passkey.objects.get(user=instructor.user)

    response = client.delete(
        f"{PASSKEYS}{passkey.pk}/", {"password": TEST_PASSWORD, "code": codes[0]}
    )

    assert response.status_code == 403
    assert Passkey.objects.filter(pk=passkey.pk).exists()


RELYING_PARTY = RelyingParty(id="testserver", name="Wellverse", origins=("http://testserver",))


def _enrolled_by_services(user: User) -> SoftwareAuthenticator:
    authenticator, session = SoftwareAuthenticator(), SessionStore()
    options = passkey_registration_begin(user=user, session=session, relying_party=RELYING_PARTY)
    passkey_registration_complete(
        user=user,
        session=session,
        relying_party=RELYING_PARTY,
        credential=authenticator.create(options),
        name="Key",
    )
    return authenticator


def test_the_services_verify_without_http(user: User) -> None:
    authenticator = _enrolled_by_services(user)
    session = SessionStore()
    sign_in_pending_start(session=session, user=user)

    options = passkey_authentication_begin(session=session, relying_party=RELYING_PARTY)
    signed_in, passkey = passkey_authentication_complete(
        session=session, relying_party=RELYING_PARTY, credential=authenticator.get(options)
    )

    assert two_factor_enabled(user)
    assert signed_in == user
    assert passkey == Passkey.objects.get(user=user)
    assert dict(session) == {}


def test_an_expired_challenge_is_refused(user: User) -> None:
    authenticator = _enrolled_by_services(user)
    session = SessionStore()
    sign_in_pending_start(session=session, user=user)
    options = passkey_authentication_begin(session=session, relying_party=RELYING_PARTY)
    (stored,) = [value for value in session.values() if value.get("purpose") == "authenticate"]
    stored["expires"] -= PENDING_SIGN_IN_SECONDS

    with pytest.raises(PasskeyRefused) as refused:
        passkey_authentication_complete(
            session=session, relying_party=RELYING_PARTY, credential=authenticator.get(options)
        )

    assert refused.value.code == "passkey_challenge_expired"
    assert Passkey.objects.get(user=user).sign_count == 0


def test_staff_see_passkeys_in_the_admin_and_cannot_add_one(user: User) -> None:
    _enrolled(user)
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    _, authenticator, _ = _enrolled(staff)
    client, _ = _password_step(staff)
    _passkey_step(client, authenticator)
    browser = Client()
    browser.cookies = client.cookies

    listing = browser.get("/admin/wellness/passkey/")

    assert listing.status_code == 200
    assert user.email in listing.content.decode()
    assert browser.get("/admin/wellness/passkey/add/").status_code == 403
