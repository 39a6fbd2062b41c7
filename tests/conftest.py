"""Suite-wide fixtures: API clients, people, shared device files.

Two runs make the suite (``make test``): the embedded default (SQLite, in-memory channel layer,
eager Celery) for everything not marked ``integration``, then the ``integration`` tests against
PostgreSQL, Redis and the real Celery worker and uvicorn server that the ``tests.servers`` plugin
starts. Where a service or ``../shared`` is absent the test skips with a one-line reason;
``WELLVERSE_NO_SKIP=1`` (set by ``.ci/run``) turns every skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import ClientFor
from wellness.classes import services as classes_services
from wellness.classes.models import Instructor
from wellness.people.models import User
from wellness.people.twofactor import requires_two_factor

# Properties, not timings: a per-example deadline would measure how busy the shared cores are.
hypothesis_settings.register_profile("wellverse", deadline=None)
hypothesis_settings.load_profile("wellverse")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
NO_SKIP = os.environ.get("WELLVERSE_NO_SKIP") == "1"

pytest_plugins = ["tests.servers"]


# --- Skips become failures under WELLVERSE_NO_SKIP=1 ---------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but WELLVERSE_NO_SKIP=1 requires it to run: {reason}"


# --- Everyday fixtures ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Settings) -> None:
    """A deliberately slow hash protects real passwords; tests only need a correct one.

    Integration tests keep the real hashers: their server processes must verify the passwords.
    """
    if request.node.get_closest_marker("integration") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters and cached values must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``, the real device files; tests read them in place."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared device files at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()


@pytest.fixture
def consenting_user(db: None) -> User:
    return UserFactory.create(consented=True)


@pytest.fixture
def other_user(db: None) -> User:
    return UserFactory.create(consented=True)


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory.create(is_staff=True)


@pytest.fixture
def instructor(db: None, admin: User) -> Instructor:
    """A consenting person an admin made an instructor (the classes and their browser tests)."""
    person = UserFactory.create(consented=True)
    return classes_services.instructor_grant(granted_by=admin, user_id=person.pk)


@pytest.fixture
def client_for() -> ClientFor:
    """``client_for(user)``: an API client signed in as that user (session auth); a person whose
    role requires two-factor authentication has an authenticator app and signed in with it."""

    def make(user: User) -> APIClient:
        if requires_two_factor(user):
            user.otp_device = TOTPDevice.objects.get_or_create(user=user, confirmed=True)[0]  # type: ignore[attr-defined]
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make
