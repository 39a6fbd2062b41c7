"""Brute force: the sign-in throttle keys on the real client address, and an account locks after
repeated wrong passwords from any address, on the API, the token sign-in and /admin/login/."""

from __future__ import annotations

import datetime as dt
from ipaddress import ip_network
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import TEST_PASSWORD, UserFactory
from wellness.people.models import AccessToken, AccountLockout, User

pytestmark = pytest.mark.django_db

# The notice goes out on commit; the tests' own transaction never commits, so they run the
# callbacks with ``django_capture_on_commit_callbacks(execute=True)``.

LIMIT = 10  # WELLVERSE_LOCKOUT_FAILURES


def _sign_in(email: str, password: str, **extra: Any) -> Any:
    return APIClient().post(
        "/api/v1/auth/login/", {"email": email, "password": password}, format="json", **extra
    )


def test_a_new_forwarded_for_per_attempt_gets_no_new_throttle_bucket(user: User) -> None:
    statuses = [
        _sign_in(user.email, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(40)
    ]
    final = _sign_in(user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.250")

    assert statuses[:9] == [400] * 9
    assert set(statuses[10:]) == {429}
    assert final.status_code == 429
    assert "_auth_user_id" not in final.client.session


def test_the_throttle_keys_on_the_peer_address_not_the_forwarded_header(
    monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})

    statuses = [
        _sign_in(
            f"person{n}@example.test", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]

    assert statuses == [400, 400, 400, 429, 429]


def test_wrong_passwords_from_many_addresses_lock_the_account(user: User) -> None:
    statuses = [
        _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}").status_code
        for n in range(LIMIT)
    ]
    refused = _sign_in(user.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.77")

    assert statuses == [400] * (LIMIT - 1) + [429]
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "account_locked"
    assert error["retry_after_seconds"] == 15 * 60
    assert "locked until" in error["message"]
    assert refused["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in refused.client.session


def test_the_owner_is_notified_once_when_the_account_locks(
    user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(LIMIT + 5):
            _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "locked" in mail.outbox[0].subject
    assert "203.0.113.9" in mail.outbox[0].body


def test_a_locked_account_does_not_lock_another(
    user: User, other_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(LIMIT):
            _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")

    response = _sign_in(other_user.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.78")

    assert response.status_code == 200
    assert len(mail.outbox) == 1


def test_an_unknown_address_locks_the_same_and_notifies_nobody(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            _sign_in("nobody@example.test", f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}").status_code
            for n in range(LIMIT)
        ]

    assert statuses == [400] * (LIMIT - 1) + [429]
    assert mail.outbox == []


def test_one_address_spraying_many_accounts_is_locked(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    people = UserFactory.create_batch(LIMIT + 1)
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            cache.clear()  # slower than the per-address throttle notices
            statuses.append(
                _sign_in(person.email, "Summer2026!", REMOTE_ADDR="203.0.113.5").status_code
            )

    assert statuses[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert statuses[LIMIT - 1 :] == [429, 429]
    assert mail.outbox == []


def test_success_before_the_limit_resets_the_count(user: User) -> None:
    for n in range(LIMIT - 1):
        _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
    assert _sign_in(user.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 200

    after = [
        _sign_in(user.email, f"again-{n}", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(LIMIT - 1)
    ]

    assert after == [400] * (LIMIT - 1)


def test_the_token_sign_in_shares_the_lock(user: User) -> None:
    for n in range(LIMIT):
        _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")

    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": TEST_PASSWORD, "name": "script"},
        format="json",
        REMOTE_ADDR="192.0.2.9",
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "account_locked"
    assert AccessToken.objects.count() == 0


def test_admin_login_locks_too(db: None, django_capture_on_commit_callbacks: Any) -> None:
    staff = UserFactory.create(is_staff=True, is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            Client(REMOTE_ADDR=f"203.0.113.{n}")
            .post("/admin/login/", {"username": staff.email, "password": f"guess-{n}"})
            .status_code
            for n in range(LIMIT)
        ]
    browser = Client(REMOTE_ADDR="192.0.2.10")
    refused = browser.post("/admin/login/", {"username": staff.email, "password": TEST_PASSWORD})

    assert statuses == [200] * (LIMIT - 1) + [429]
    assert refused.status_code == 429
    assert b"Signing in is locked" in refused.content
    assert "_auth_user_id" not in browser.session
    assert len(mail.outbox) == 1


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(user: User, settings: Any) -> None:
    settings.WELLVERSE_TRUSTED_PROXY_NETWORKS = (ip_network("10.0.0.0/8"),)
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}

    first = [
        _sign_in("x@example.test", "guess", HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy)
        for _ in range(11)
    ]
    second = _sign_in(user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy)

    assert first[-1].status_code == 429
    assert second.status_code == 200


def _time_passes(email: str, minutes: int) -> None:
    """Move this account's stored attempts and locks ``minutes`` into the past (time passing)."""
    back = dt.timedelta(minutes=minutes)
    AccessAttempt.objects.filter(username=email).update(attempt_time=F("attempt_time") - back)
    AccessAttemptExpiration.objects.filter(access_attempt__username=email).update(
        expires_at=F("expires_at") - back
    )
    AccountLockout.objects.filter(email=email).update(locked_at=F("locked_at") - back)


def _lock(email: str) -> Any:
    for n in range(LIMIT - 1):
        _sign_in(email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
    return _sign_in(email, "guess-last", REMOTE_ADDR="203.0.113.200")


def test_a_second_lock_within_the_window_lasts_twice_as_long(
    user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _lock(user.email)
        _time_passes(user.email, 16)
        assert _sign_in(user.email, "wrong", REMOTE_ADDR="192.0.2.1").status_code == 400
        _time_passes(user.email, 16)  # the lone failure above has expired too
        second = _lock(user.email)

    assert first.status_code == 429
    assert first["Retry-After"] == str(15 * 60)
    assert second.status_code == 429
    assert second["Retry-After"] == str(30 * 60)
    assert second.json()["error"]["retry_after_seconds"] == 30 * 60
    assert "30 minutes" in second.json()["error"]["message"]
    assert [m.body.count("locked for 30 minutes") for m in mail.outbox] == [0, 1]

    _time_passes(user.email, 16)  # past the first lock's length, inside the second's
    still = _sign_in(user.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.2")
    assert still.status_code == 429
    assert "_auth_user_id" not in still.client.session

    _time_passes(user.email, 15)
    assert _sign_in(user.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.3").status_code == 200


def test_the_back_off_doubles_per_lock_up_to_the_cap(user: User, settings: Any) -> None:
    settings.WELLVERSE_LOCKOUT_MAX_COOL_OFF = dt.timedelta(minutes=100)
    answers = []
    for _ in range(4):
        answers.append(int(_lock(user.email)["Retry-After"]))
        _time_passes(user.email, 101)

    assert answers == [15 * 60, 30 * 60, 60 * 60, 100 * 60]


def test_locks_older_than_the_window_no_longer_lengthen_the_next(user: User) -> None:
    _lock(user.email)
    _time_passes(user.email, 24 * 60 + 1)

    assert _lock(user.email)["Retry-After"] == str(15 * 60)


def test_a_clean_sign_in_costs_the_lockout_one_query(
    user: User, settings: Any, django_assert_num_queries: Any
) -> None:
    # Given: one warm-up sign-in, so both measured ones find the same session state
    assert _sign_in(user.email, TEST_PASSWORD).status_code == 200
    settings.AXES_ENABLED = False
    with CaptureQueriesContext(connection) as without_lockout:
        assert _sign_in(user.email, TEST_PASSWORD).status_code == 200
    settings.AXES_ENABLED = True

    # Then: no failure on record, so the lockout only asks whether there is one
    with django_assert_num_queries(len(without_lockout.captured_queries) + 1):
        assert _sign_in(user.email, TEST_PASSWORD).status_code == 200


def test_failures_after_an_expired_lock_are_counted_in_full_and_lock_again(user: User) -> None:
    # Given: a lock, then its expiry, then nine failures that are recent for every lock length
    _lock(user.email)
    _time_passes(user.email, 16)
    for n in range(LIMIT - 1):
        _sign_in(user.email, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")

    # Then: the tenth locks the account (counted through the full path, not the quick check)
    assert _sign_in(user.email, "one-more", REMOTE_ADDR="192.0.2.9").status_code == 429
