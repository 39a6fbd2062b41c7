"""Live ingest: athletes streaming at 1 Hz into one uvicorn process (channels-redis, PostgreSQL).

The server runs in its own process on 127.0.0.1; the load comes from another process
(``benchmarks/_ingest_load.py``). Reported: acknowledgement p99 with every athlete streaming, and
the share of sent batches acknowledged. The baseline is the same server with a single athlete
(the latency floor of one round trip through the whole stack).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import Figure, figure
from benchmarks._ingest_load import WARM_UP_BATCHES
from benchmarks._server import wait_until_serving

DESCRIPTION = "live ingest: athletes at 1 Hz into one uvicorn process, ack p99 (Redis, PostgreSQL)"
ROOT = Path(__file__).resolve().parent.parent
PORT = 8247
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


def _athletes(count: int) -> list[list[object]]:
    from wellness.people.models import TokenScope, User
    from wellness.people.services import access_token_create, consent_grant
    from wellness.workouts.services import workout_start

    pairs: list[list[object]] = []
    started = dt.datetime.now(dt.UTC)
    for i in range(count):
        email = f"live{i}@bench.wellverse.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email=email)
        consent_grant(user=user)
        _, secret = access_token_create(user=user, name="bench", scope=TokenScope.INGEST)
        workout = workout_start(user=user, sport="run", indoor=True, started_at=started)
        pairs.append([secret, workout.pk])
    return pairs


def _load(url: str, pairs: list[list[object]], seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(pairs, f)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks._ingest_load", url, f.name, "--seconds", str(seconds)],
            cwd=ROOT, capture_output=True, text=True, timeout=seconds + 180, check=True,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import setup_django_on_scratch_database

    database_url = setup_django_on_scratch_database()
    athletes = int(os.environ.get("WELLVERSE_BENCH_ATHLETES", 150 if quick else 2_000))
    seconds = 10.0 if quick else 30.0
    pairs = _athletes(athletes + 1)
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="wellness.config.settings", DEBUG="false",
        SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="127.0.0.1,localhost",
        WELLVERSE_FIELD_ENCRYPTION_KEYS="bench-field-key-" + "y" * 32,
        SECURE_SSL_REDIRECT="false", DATABASE_URL=database_url, REDIS_URL=REDIS_URL,
        CHANNELS_PREFIX="bench-ingest", LOG_LEVEL="WARNING",
        WELLVERSE_INGEST_MESSAGE_BURST="1000",
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "wellness.config.asgi:application", "--host", "127.0.0.1",
         "--port", str(PORT), "--loop", "uvloop", "--log-level", "warning",
         "--ws-ping-interval", "60"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_serving(PORT, server)
        url = f"ws://127.0.0.1:{PORT}/ws/v1/ingest/"
        single = _load(url, pairs[:1], 5.0)
        loaded = _load(url, pairs[1:], seconds)
    finally:
        server.terminate()
        server.wait(timeout=15)
    print("p99 by second of the run (ms):", loaded.get("p99_ms_by_second"), file=sys.stderr)
    acked_share = 100.0 * loaded["acked"] / max(1.0, loaded["sent"])
    return [
        figure(
            "live_ingest", f"ack p99, {athletes:,} athletes at 1 Hz ({loaded['failed']:.0f} failed)",
            loaded["p99_ms"], "ms", baseline=single["p99_ms"],
            goal="2,000 athletes, p99 < 100 ms", higher_is_better=False,
        ),
        figure(
            "live_ingest", f"ack p99 after each athlete's first {WARM_UP_BATCHES} batches",
            loaded["steady_p99_ms"], "ms", baseline=single["steady_p99_ms"],
            goal="p99 < 100 ms", higher_is_better=False,
        ),
        figure(
            "live_ingest", f"batches acked / sent ({loaded['acked']:.0f}/{loaded['sent']:.0f})",
            acked_share, "%", baseline=None, goal="100 %", higher_is_better=True,
        ),
    ]  # fmt: skip
