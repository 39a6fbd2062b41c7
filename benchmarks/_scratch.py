"""A scratch PostgreSQL database for benchmarks, migrated, so measurements touch no real data."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

# Parallel benchmark runs (several engineers on one machine) pick their own scratch database.
SCRATCH_DATABASE = os.environ.get("WELLVERSE_BENCH_DATABASE", "wellverse_bench_ingest")
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def scratch_database_url() -> str:
    base = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    return urlunsplit(base._replace(path=f"/{SCRATCH_DATABASE}"))


def setup_django_on_scratch_database() -> str:
    """Create (if needed) and migrate the scratch database, and point Django at it."""
    import psycopg

    url = scratch_database_url()
    server = urlsplit(url)
    with psycopg.connect(urlunsplit(server._replace(path="/postgres")), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH_DATABASE]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def bench_user(email: str = "bench@bench.wellverse.test") -> object:
    from wellness import services
    from wellness.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    services.consent_grant(user=user)
    return user
