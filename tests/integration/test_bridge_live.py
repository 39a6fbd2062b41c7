"""The unmodified bridge CLI against the real server: uvicorn + channels-redis + PostgreSQL.

A simulated athlete streams to ``/ws/v1/ingest/``; the stored frame must equal what the simulator's
frames decode to, through a cut network and through a Redis restart alike.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices import simulator
from devices.profiles import PROFILES
from tests.devices.bridge.ingest_stub import CuttableProxy, LoopThread
from tests.servers import (
    ROOT,
    AsgiServer,
    asgi_server_start,
    asgi_server_stop,
    free_port,
)
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.workouts.models import SampleBatch, Workout, WorkoutStatus
from wellness.workouts.selectors import workout_frame, workout_rr

pytestmark = pytest.mark.integration

FRAME_KEYS = ("hr", "cadence", "speed", "distance", "power")


def _expected(sport: str, seed: int, seconds: int) -> tuple[list[dict[str, Any]], list[float], int]:
    """What the simulator's frames decode to, merged by instant as the server merges samples
    (``t`` relative to the first sample), the RR intervals in order, and how many samples."""
    athlete = simulator.Athlete(sport=sport, seed=seed, start_t=0.0)
    by_uuid = {p.characteristic_uuid: p for p in PROFILES}
    decoders: dict[tuple[str, str], Any] = {}
    merged: dict[float, dict[str, Any]] = {}
    count = 0
    for _ in range(seconds):
        for frame in athlete.step(1.0):
            key = (frame.device, frame.characteristic)
            profile = decoders.setdefault(key, by_uuid[frame.characteristic]())
            sample = profile.feed(frame.data, frame.t)
            if sample is None:
                continue
            count += 1
            into = merged.setdefault(sample["t"], {})
            for name, value in sample.items():
                into.setdefault(name, value)
    first = min(merged)
    rows = [
        {"t": round(t - first, 6), **{k: float(v[k]) for k in FRAME_KEYS if k in v}}
        for t, v in sorted(merged.items())
    ]
    rr = [float(ms) for _, v in sorted(merged.items()) for ms in v.get("rr", [])]
    return rows, rr, count


def _stored(workout: Workout) -> tuple[list[dict[str, Any]], list[float]]:
    frame = workout_frame(workout=workout)
    first = float(frame["t"].iloc[0])
    rows = []
    for record in frame.to_dict("records"):
        row = {"t": round(record["t"] - first, 6)}
        row.update({k: record[k] for k in FRAME_KEYS if not math.isnan(record[k])})
        rows.append(row)
    return rows, workout_rr(workout=workout).tolist()


def _ingest_token(user: User) -> str:
    _, raw = access_token_create(user=user, name="bridge", scope=TokenScope.INGEST)
    return raw


def _simulate(
    server_url: str, token: str, journal: Path, *, seconds: int, speed: float, seed: int
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "devices.bridge", "simulate", "--profile", "run",
            "--duration", str(seconds), "--speed", str(speed), "--seed", str(seed),
            "--server", server_url, "--token", token, "--journal", str(journal),
            "--flush-timeout", "60",
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _stored_batches() -> int:
    return SampleBatch.objects.count()


def _wait_for(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def _assert_stored_exactly_once(user: User, seconds: int, seed: int) -> None:
    workout = Workout.objects.get(user=user)
    expected_rows, expected_rr, sent = _expected("run", seed, seconds)
    rows, rr = _stored(workout)
    assert workout.status == WorkoutStatus.FINISHED
    assert rows == expected_rows
    assert rr == expected_rr
    # Exactly once: the batches hold no sample twice (a re-sent batch kept its device and seq).
    assert sum(SampleBatch.objects.filter(workout=workout).values_list("count", flat=True)) == sent


def test_the_bridge_simulator_streams_to_the_real_server_and_the_frame_equals_what_was_sent(
    asgi_server: AsgiServer, consenting_user: User, tmp_path: Path
) -> None:
    token = _ingest_token(consenting_user)

    bridge = _simulate(
        asgi_server.http_url, token, tmp_path / "journal.sqlite3", seconds=90, speed=30, seed=4
    )
    stdout, stderr = bridge.communicate(timeout=90)

    assert bridge.returncode == 0, stderr
    workout = Workout.objects.get(user=consenting_user)
    assert f"Workout {workout.pk} finished" in stdout
    assert (workout.sport, workout.source) == ("run", "bridge")
    _assert_stored_exactly_once(consenting_user, seconds=90, seed=4)


@pytest.fixture
def proxy_to(asgi_server: AsgiServer) -> Iterator[tuple[LoopThread, CuttableProxy]]:
    thread = LoopThread()
    proxy = CuttableProxy(asgi_server.port)
    thread.call(proxy.start())
    yield thread, proxy
    thread.call(proxy.stop())
    thread.stop()


def test_a_network_cut_mid_stream_to_the_real_server_stores_every_sample_exactly_once(
    proxy_to: tuple[LoopThread, CuttableProxy], consenting_user: User, tmp_path: Path
) -> None:
    thread, proxy = proxy_to
    token = _ingest_token(consenting_user)

    bridge = _simulate(
        proxy.url, token, tmp_path / "journal.sqlite3", seconds=160, speed=20, seed=7
    )
    _wait_for(lambda: _stored_batches() >= 4, timeout=30)
    thread.call(proxy.cut())
    stored_at_cut = _stored_batches()
    time.sleep(1.5)
    thread.call(proxy.restore())
    _stdout, stderr = bridge.communicate(timeout=90)

    assert bridge.returncode == 0, stderr
    assert stored_at_cut < _stored_batches()
    _assert_stored_exactly_once(consenting_user, seconds=160, seed=7)


class PrivateRedis:
    """A redis-server of this test's own, so restarting it disturbs no one else's Redis."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.dir),
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        _wait_for(lambda: _pings(client), timeout=10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server to start a private Redis")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


def test_redis_restarting_during_a_live_stream_loses_nothing(
    transactional_db: None, private_redis: PrivateRedis, consenting_user: User, tmp_path: Path
) -> None:
    server = asgi_server_start(tmp_path / "uvicorn.log", REDIS_URL=private_redis.url)
    try:
        token = _ingest_token(consenting_user)

        bridge = _simulate(
            server.http_url, token, tmp_path / "journal.sqlite3", seconds=160, speed=20, seed=9
        )
        _wait_for(lambda: _stored_batches() >= 4, timeout=30)
        private_redis.kill()
        stored_at_kill = _stored_batches()
        time.sleep(1.5)
        private_redis.start()
        _stdout, stderr = bridge.communicate(timeout=120)
    finally:
        asgi_server_stop(server)

    assert bridge.returncode == 0, stderr
    assert stored_at_kill < _stored_batches()
    _assert_stored_exactly_once(consenting_user, seconds=160, seed=9)
