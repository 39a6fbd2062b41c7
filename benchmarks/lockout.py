"""What the per-account lockout (django-axes, with its back-off) costs a sign-in.

A person signs in with the right password through the whole HTTP stack (``POST
/api/v1/auth/login/``), with the lockout as shipped against the same request with axes switched
off (``AXES_ENABLED = False``). Both hash with Django's MD5 hasher, so the figure is the
lockout's own queries, not PBKDF2's deliberate slowness; the throttle is lifted in both. Rounds
alternate between the two so machine load hits both alike; the figure is the difference of the
medians. On PostgreSQL (a scratch database) when ``DATABASE_URL`` is set, else on a scratch
SQLite file, the embedded default's engine.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = (
    "lockout: signing in with the per-account lockout on vs off (PostgreSQL if DATABASE_URL)"
)
EMAIL = "lockout@bench.wellverse.test"
PASSWORD = "a-long-bench-passphrase-1"  # noqa: S105 (a scratch database's bench account)


def _setup_django() -> str:
    if os.environ.get("DATABASE_URL"):
        from benchmarks._scratch_db import setup_django_on_scratch_database

        setup_django_on_scratch_database()
        return "PostgreSQL"
    scratch = Path(tempfile.mkdtemp(prefix="wellverse-bench-")) / "lockout.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return "SQLite"


def run(quick: bool) -> list[Figure]:
    engine = _setup_django()
    from unittest import mock

    from django.test import override_settings
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    from wellness.people.models import Profile, User

    fast_hash = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    no_throttle = mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"auth": None})
    with fast_hash, no_throttle:
        user = User.objects.filter(email=EMAIL).first() or User.objects.create_user(email=EMAIL)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        Profile.objects.get_or_create(user=user, defaults={"display_name": "Bench"})
        client = APIClient(SERVER_NAME="localhost")
        body = {"email": EMAIL, "password": PASSWORD}

        def sign_in() -> None:
            response = client.post("/api/v1/auth/login/", body, format="json")
            assert response.status_code == 200, response.content

        def off_median() -> float:
            with override_settings(AXES_ENABLED=False):
                return median_seconds(sign_in, repeat=5)

        def on_median() -> float:
            return median_seconds(sign_in, repeat=5)

        sign_in()
        rounds = 20 if quick else 200
        on_s: list[float] = []
        off_s: list[float] = []
        for n in range(rounds):
            # Alternate which goes first, so neither always runs on a warmer cache.
            first, second = (off_median, on_median) if n % 2 else (on_median, off_median)
            a, b = first(), second()
            on_s.append(a if first is on_median else b)
            off_s.append(b if first is on_median else a)

    with_lockout = statistics.median(on_s) * 1000
    without = statistics.median(off_s) * 1000
    return [
        figure(
            "lockout", f"sign-in with the lockout on, {engine} (median)", with_lockout, "ms",
            baseline=without, goal="< 1 ms more than with it off", higher_is_better=False,
        ),
        figure(
            "lockout", "the lockout's cost (difference of medians)", with_lockout - without, "ms",
            baseline=None, goal="< 1 ms", higher_is_better=False,
        ),
    ]  # fmt: skip
