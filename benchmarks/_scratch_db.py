"""A scratch PostgreSQL database for benchmarks, migrated, so measurements touch no real data."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def bench_user(email: str = "bench@bench.wellverse.test") -> object:
    from wellness.people.models import User
    from wellness.people.services import consent_grant

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    consent_grant(user=user)
    return user


@functools.cache
def naive_sample_model() -> Any:
    """The naive layout the storage benchmarks compare against: one ORM row per sample, indexed by
    workout (as a real row-per-sample design would be, to load a workout). Defined once per
    process, after Django is set up."""
    from django.db import models

    class NaiveSample(models.Model):
        workout_id = models.BigIntegerField(db_index=True)
        t = models.FloatField()
        hr = models.FloatField(null=True)
        rr = models.JSONField(null=True)
        cadence = models.FloatField(null=True)
        speed = models.FloatField(null=True)
        distance = models.FloatField(null=True)
        power = models.FloatField(null=True)
        altitude = models.FloatField(null=True)
        lat = models.FloatField(null=True)
        lon = models.FloatField(null=True)

        class Meta:
            app_label = "benchmarks_scratch"
            db_table = "bench_naive_sample"

        def __str__(self) -> str:
            return f"{self.workout_id}@{self.t}"

    return NaiveSample


@contextmanager
def naive_sample_table() -> Iterator[Any]:
    """The naive model with a fresh, empty table for the duration of the block."""
    from django.db import connection

    model = naive_sample_model()
    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE IF EXISTS {model._meta.db_table}")
        editor.create_model(model)
    try:
        yield model
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(model)
