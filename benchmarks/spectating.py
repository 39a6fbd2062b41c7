"""Spectating a busy world: one tick frame per viewer per second versus per-sample fan-out.

One uvicorn process (uvloop, channels-redis pub/sub layer) serves ``/ws/v1/worlds/<id>/`` to
``spectators`` WebSocket clients run by this process. A driver publishes ``avatars`` avatar states
per second to the world (``world.avatars`` messages, ten batches a second), which the world's
ticker aggregates into one frame per tick (1 Hz) for every spectator. Tick delivery latency is the
time from the ticker stamping ``server_time`` to a client receiving the frame.

The baseline, in the same run and the same server: every avatar update is sent on its own to the
spectators' group (``world.tick`` with one avatar), as a per-sample fan-out would.

Scratch state: a SQLite file in a temporary directory (only read when sockets connect) and a
random channel-layer prefix on ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks import Figure, figure

DESCRIPTION = (
    "spectating: 1,000 avatars, 200 spectators, 1 Hz ticks on one uvicorn + channels-redis, "
    "against per-sample fan-out"
)
NAME = "spectating"
SERVER_TIME = re.compile(r'"server_time":([0-9.]+)')
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    for port in range(8500, 8600):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8500-8599")


def _setup() -> None:
    """Run in a subprocess with the scratch settings: a viewer, a token, a world; print them."""
    import django

    django.setup()
    from wellness import services
    from worlds import services as worlds_services
    from worlds.gpx import gpx_write, straight_north

    viewer = services.user_sign_up(email="viewer@bench.test", password=secrets.token_urlsafe(16))
    _, raw = services.access_token_create(user=viewer, name="bench", scope="api")
    world = worlds_services.world_create_from_gpx(
        owner=None, name="Benchmark loop", gpx=gpx_write(straight_north(5_000))
    )
    print(json.dumps({"world_id": world.pk, "token": raw}))


def _avatar(i: int, t: float) -> dict[str, Any]:
    d = (i * 7.0 + t * 3.0) % 5_000
    return {
        "id": i + 1, "name": f"Athlete {i + 1:04d}", "sport": "run", "d": round(d, 1), "lap": 1,
        "lat": round(46.0 + d / 111_195, 6), "lon": 14.0, "ele": 100.0, "grade": 0.0, "v": 3.0,
        "t": t, "finished": False, "events": [],
    }  # fmt: skip


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Spectators:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.updates = 0
        self.recording = False

    async def listen(self, ws: Any) -> None:
        async for frame in ws:
            received = time.time()
            if not self.recording:
                continue
            # Only what is measured is parsed: the clients share the server's two cores.
            data = frame if isinstance(frame, str) else frame.decode()
            match = SERVER_TIME.search(data, 0, 120)
            if match:
                self.latencies.append(received - float(match.group(1)))
            rows = data[data.index('"avatars":[') + 11 :]
            self.updates += 0 if rows.startswith("]") else rows.split("]]", 1)[0].count("],[") + 1


async def _measure(
    url: str, token: str, world_id: int, prefix: str, redis_url: str, sizes: dict[str, Any]
) -> dict[str, float]:
    import websockets
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(hosts=[redis_url], prefix=prefix)
    world_group, view_group = f"world-{world_id}", f"world-{world_id}-view-bench"
    sockets = []
    for _ in range(sizes["spectators"]):
        ws = await websockets.connect(
            f"{url}/ws/v1/worlds/{world_id}/",
            additional_headers={"Authorization": f"Bearer {token}"},
            compression=None,
            max_size=None,
        )
        await ws.recv()  # the snapshot
        sockets.append(ws)
    tick, naive = Spectators(), Spectators()
    listeners = [asyncio.create_task(tick.listen(ws)) for ws in sockets]
    avatars, batches = sizes["avatars"], 10

    # Ticks: avatars' states arrive in ten batches a second; each spectator gets one frame a tick.
    started = time.monotonic()
    warmup, seconds = 1.5, sizes["seconds"]
    while (elapsed := time.monotonic() - started) < warmup + seconds:
        tick.recording = elapsed >= warmup
        now = time.time()
        for b in range(batches):
            part = range(b * avatars // batches, (b + 1) * avatars // batches)
            await layer.group_send(
                world_group, {"type": "world.avatars", "avatars": [_avatar(i, now) for i in part]}
            )
            await asyncio.sleep(0.1)
    await asyncio.sleep(1.2)  # the last tick of the window
    tick.recording = False
    tick_rate = tick.updates / seconds

    # Baseline: every update on its own to every spectator (the same server and sockets).
    for task in listeners:
        task.cancel()
    listeners = [asyncio.create_task(naive.listen(ws)) for ws in sockets]
    naive.recording = True
    window = sizes["naive_seconds"]
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < window:
        now = time.time()
        for i in range(avatars // batches):
            avatar = _avatar(sent + i, now)
            frame = json.dumps(
                {
                    "type": "tick",
                    "server_time": time.time(),
                    "avatars": [[avatar[c] for c in ("id", "d", "v", "t", "lap", "grade")]],
                },
                separators=(",", ":"),
            )
            await layer.group_send(view_group, {"type": "world.tick", "text": frame})
        sent += avatars // batches
        await asyncio.sleep(max(0.0, started + sent / avatars - time.monotonic()))
    delivered_in_window = naive.updates
    await asyncio.sleep(1.0)  # what arrives within a second after the window still counts as late
    naive.recording = False
    for task in listeners:
        task.cancel()
    for ws in sockets:
        await ws.close()
    await layer.flush()
    return {
        "tick_p50_ms": _percentile(tick.latencies, 0.50) * 1000,
        "tick_p99_ms": _percentile(tick.latencies, 0.99) * 1000,
        "tick_updates_per_s": tick_rate,
        "naive_updates_per_s": delivered_in_window / window,
        "naive_p50_ms": _percentile(naive.latencies, 0.50) * 1000,
        "naive_p99_ms": _percentile(naive.latencies, 0.99) * 1000,
        "naive_offered_per_s": avatars * sizes["spectators"],
    }


def run(quick: bool) -> list[Figure]:
    sizes = (
        {"avatars": 1_000, "spectators": 200, "seconds": 4, "naive_seconds": 1}
        if quick
        else {"avatars": 1_000, "spectators": 200, "seconds": 15, "naive_seconds": 3}
    )
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"bench-spectating-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wellness.settings",
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "REDIS_URL": redis_url,
            "CHANNELS_PREFIX": prefix,
            "WORLDS_PROCESS_TOKEN": "bench",
            "WORLDS_TICK_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
        }
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        made = subprocess.run(
            [python, "-c", "from benchmarks.spectating import _setup; _setup()"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        setup = json.loads(made.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = subprocess.Popen(
            [python, "-m", "uvicorn", "wellness.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--loop", "uvloop", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("uvicorn did not start for the benchmark") from None
                    time.sleep(0.2)
            result = asyncio.run(
                _measure(
                    f"ws://127.0.0.1:{port}", setup["token"], setup["world_id"], prefix,
                    redis_url, sizes,
                )
            )  # fmt: skip
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    label = f"{sizes['avatars']} avatars, {sizes['spectators']} spectators"
    return [
        figure(
            NAME, f"tick delivery p99 ({label}; baseline: per-sample p99)",
            result["tick_p99_ms"], "ms", baseline=result["naive_p99_ms"],
            goal="< 100 ms", higher_is_better=False,
        ),
        figure(
            NAME, f"tick delivery p50 ({label}; baseline: per-sample p50)",
            result["tick_p50_ms"], "ms", baseline=result["naive_p50_ms"],
            goal="informational", higher_is_better=False,
        ),
        figure(
            NAME, f"avatar-updates delivered per second ({label}; baseline: per-sample fan-out)",
            result["tick_updates_per_s"], "updates/s", baseline=result["naive_updates_per_s"],
            goal=f"all {result['naive_offered_per_s']:,.0f}/s offered, ratio > 1",
            higher_is_better=True,
        ),
    ]  # fmt: skip
