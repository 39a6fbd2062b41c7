"""The settings module: embedded default, scale-out by environment, production hardening."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "server_options": settings.DATABASES["default"].get("OPTIONS", {}).get("options"),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
}))
"""

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-0123456789abcdefXYZ",
    "ALLOWED_HOSTS": "wellverse.example.org",
    "WELLVERSE_FIELD_ENCRYPTION_KEYS": "a-field-encryption-key-for-the-tests-0123456789",
}


def env_for_python(
    env_overrides: dict[str, str], drop: frozenset[str] | set[str] = frozenset()
) -> dict[str, str]:
    dropped = {"DATABASE_URL", "REDIS_URL", "DEBUG"} | set(drop)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "wellness.config.settings", "WELLVERSE_VAR_DIR": "/tmp/wv-var"}
    )
    env.update(env_overrides)
    return env


def run_python(
    code: str,
    env_overrides: dict[str, str],
    *,
    drop: set[str] | frozenset[str] = frozenset(),
    args: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *(args or [])],
        cwd=ROOT,
        env=env_for_python(env_overrides, drop),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_under(env: dict[str, str]) -> dict[str, Any]:
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def test_no_configuration_runs_embedded_on_sqlite_memory_layer_and_eager_tasks() -> None:
    loaded = settings_under({"DEBUG": "true"})

    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["eager"] is True


def test_database_url_switches_to_pooled_postgresql() -> None:
    loaded = settings_under(
        {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wellverse"}
    )

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "wellverse"
    assert loaded["pool"]["max_size"] == 20
    assert loaded["pool"]["max_idle"] == 60.0
    # Short queries only: JIT compilation would cost more than it saves (see settings).
    assert loaded["server_options"] == "-c jit=off"


def test_the_pool_size_and_the_requests_in_flight_are_set_per_process() -> None:
    code = (
        "from django.conf import settings; pool = settings.DATABASES['default']['OPTIONS']['pool'];"
        "print(pool['max_size'], settings.WELLVERSE_MAX_REQUESTS_IN_FLIGHT)"
    )
    postgres = {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wellverse"}

    default = run_python(code, postgres)
    smaller = run_python(code, postgres | {"DATABASE_POOL_MAX_SIZE": "10"})

    # In flight stays below the pool, so the pool's timeout never refuses a request.
    assert default.stdout.split() == ["20", "16"]
    assert smaller.stdout.split() == ["10", "6"]


def test_a_database_url_that_sets_jit_keeps_its_choice() -> None:
    loaded = settings_under(
        {
            "DEBUG": "true",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wellverse?options=-c%20jit%3Don",
        }
    )

    assert loaded["server_options"] == "-c jit=on"


def test_redis_url_switches_layer_cache_and_celery_to_redis_with_a_sized_pool() -> None:
    loaded = settings_under({"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"})

    assert loaded["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert loaded["layer_hosts"] == [
        {"address": "redis://127.0.0.1:6379/3", "max_connections": 1000}
    ]
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://127.0.0.1:6379/3"


def test_without_debug_a_missing_secret_key_is_refused_with_a_sentence() -> None:
    result = run_python(PRINT_SETTINGS, {"DEBUG": "false"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_a_missing_field_encryption_key_is_refused_with_a_sentence() -> None:
    without_key = {
        k: v for k, v in PRODUCTION_ENV.items() if k != "WELLVERSE_FIELD_ENCRYPTION_KEYS"
    }

    result = run_python(PRINT_SETTINGS, without_key)

    assert result.returncode != 0
    assert "WELLVERSE_FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_the_field_encryption_keys_are_a_list_whose_first_encrypts() -> None:
    code = "from django.conf import settings; print(settings.SALT_KEY)"

    result = run_python(
        code, PRODUCTION_ENV | {"WELLVERSE_FIELD_ENCRYPTION_KEYS": "new-key,old-key"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['new-key', 'old-key']"


def test_debug_without_secret_key_shares_one_generated_key_between_processes(
    tmp_path: Path,
) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = env_for_python(
        {"DEBUG": "true", "WELLVERSE_VAR_DIR": str(tmp_path / "var")}, drop={"SECRET_KEY"}
    )

    # Started together, so both may find no key file and race to create it.
    starting = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starting}

    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 50
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_a_session_made_by_one_development_process_is_valid_in_another(tmp_path: Path) -> None:
    var_dir = {"DEBUG": "true", "WELLVERSE_VAR_DIR": str(tmp_path / "var")}
    make_session = (
        "import django; django.setup()\n"
        "from django.contrib.sessions.backends.signed_cookies import SessionStore\n"
        "session = SessionStore(); session['member'] = 'ada'; session.save()\n"
        "print(session.session_key)"
    )
    made = run_python(make_session, var_dir, drop={"SECRET_KEY"})
    assert made.returncode == 0, made.stderr
    read_session = (
        "import sys, django; django.setup()\n"
        "from django.contrib.sessions.backends.signed_cookies import SessionStore\n"
        "print(SessionStore(session_key=sys.argv[1]).load())"
    )

    read = run_python(read_session, var_dir, drop={"SECRET_KEY"}, args=[made.stdout.strip()])

    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "{'member': 'ada'}"


def test_without_debug_no_development_key_file_is_made(tmp_path: Path) -> None:
    result = run_python(
        PRINT_SETTINGS,
        {"DEBUG": "false", "WELLVERSE_VAR_DIR": str(tmp_path / "var")},
        drop={"SECRET_KEY"},
    )

    assert result.returncode != 0
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_settings_pass_check_deploy_without_a_single_warning() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}},
            **PRODUCTION_ENV,
            "WELLVERSE_VAR_DIR": "/tmp/wv-var",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_passkey_relying_party_defaults_to_the_sites_own_host() -> None:
    from wellness.config.settings import webauthn_rp_id_default

    assert webauthn_rp_id_default(["https://*.example.org"], ["x.example.net"]) == "example.org"
    assert webauthn_rp_id_default([], ["127.0.0.1", ".wellverse.example.net"]) == (
        "wellverse.example.net"
    )
    assert webauthn_rp_id_default([], ["*", "[::1]"]) == "localhost"
