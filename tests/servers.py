"""The real services of the integration tests, as a pytest plugin (``pytest_plugins`` in
``tests/conftest.py``): the skip where PostgreSQL or Redis is absent, a Celery worker process and
the ASGI application under uvicorn, all on the test run's database and Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks._server import wait_until_serving

ROOT = Path(__file__).resolve().parent.parent


def _integration_unavailable_reason() -> str | None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL:
        return (
            "integration test: needs DATABASE_URL (PostgreSQL) and REDIS_URL; `make test` sets them"
        )
    import psycopg
    import redis

    try:
        psycopg.connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        return f"integration test: PostgreSQL is not reachable ({str(exc).splitlines()[0]})"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"integration test: Redis at {settings.REDIS_URL} is not reachable ({exc})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    integration = [item for item in items if item.get_closest_marker("integration")]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        integration += [item for item in items if item.get_closest_marker("postgresql")]
    if not integration:
        return
    reason = _integration_unavailable_reason()
    if reason:
        for item in integration:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The URL of the database the tests use right now (pytest-django's test database)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] or "postgres"
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def service_env(**extra: str) -> dict[str, str]:
    """Environment for a server or worker process that shares this test run's database and Redis."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wellness.config.settings",
        DEBUG="true",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def _redis_flushed() -> None:
    """Integration runs use their own Redis database; start it empty."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


class CeleryWorker:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "wellness.config", "worker",
                "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
            ],
            cwd=ROOT, env=service_env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        from wellness.config.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited; see {self.log_path}")
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError(f"Celery worker did not answer within 60 s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


@pytest.fixture
def celery_worker(
    transactional_db: None, _redis_flushed: None, tmp_path: Path
) -> Iterator[CeleryWorker]:
    """A real Celery worker process on the test database; tests must commit what it should see."""
    worker = CeleryWorker(tmp_path / "celery.log")
    worker.start()
    yield worker
    worker.stop()


class AsgiServer:
    def __init__(self, port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.port = port
        self.process = process
        self.log_path = log_path
        self.http_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"


def asgi_server_start(log_path: Path, **env: str) -> AsgiServer:
    """Start the real ASGI application under uvicorn on a free port (``env`` overrides the
    service environment, e.g. a private ``REDIS_URL``); stop it with ``asgi_server_stop``."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "wellness.config.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--log-level", "warning",
            "--ws-per-message-deflate", "false", "--no-proxy-headers",  # as scripts/run.sh serves it
        ],
        cwd=ROOT, env=service_env(**env), stdout=log_path.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_serving(port, process)
    except RuntimeError:
        _stop(process)
        raise RuntimeError(f"uvicorn did not start; see {log_path}") from None
    return AsgiServer(port, process, log_path)


def asgi_server_stop(server: AsgiServer) -> None:
    _stop(server.process)


@pytest.fixture
def asgi_server(
    transactional_db: None, _redis_flushed: None, tmp_path: Path
) -> Iterator[AsgiServer]:
    """The real ASGI application under uvicorn (uvloop) on a free port, sharing the test database."""
    server = asgi_server_start(tmp_path / "uvicorn.log")
    yield server
    asgi_server_stop(server)
