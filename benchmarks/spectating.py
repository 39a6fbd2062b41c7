"""Spectating a busy world: one tick frame per viewer per second versus per-sample fan-out.

One uvicorn process (uvloop, channels-redis pub/sub layer) serves ``/ws/v1/worlds/<id>/`` to
``spectators`` WebSocket clients spread over ``client_processes`` processes of their own (so the
server's cost is not hidden behind the clients reading their sockets in the benchmark's process).
A driver publishes ``avatars`` avatar states per second to the world (``world.avatars`` messages,
ten batches a second), which the world's ticker aggregates into one frame per tick (1 Hz) for every
spectator. Tick delivery latency is the time from the ticker stamping ``server_time`` to a client
receiving the frame. The server process also records (in an ASGI wrapper around the unchanged
application) when each frame was handed to its socket's transport: the time from ``server_time``
to the last frame of a tick written is the server's fan-out alone.

The baseline, in the same run and the same server: every avatar update is sent on its own to the
spectators' group (``world.tick`` with one avatar), as a per-sample fan-out would.

Moving the avatars is measured on its own, in the same run: one tick of ``avatars`` live sessions
in one world (a sample each) through ``worlds.services.avatars_advance`` on the scratch PostgreSQL
database, against one ``avatars_advance` call` per session (a sample of them timed, scaled to all).

Scratch state: a SQLite file in a temporary directory (only read when sockets connect), a
random channel-layer prefix on ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) and, for the
moving part, a world and its people created and deleted in ``WELLVERSE_BENCH_DATABASE``.
``BENCH_SPECTATOR_PROCESSES`` (default 4) spreads the spectators over that many processes;
``BENCH_SPECTATOR_COMPRESSION=deflate`` makes them offer permessage-deflate, as browsers do.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

from benchmarks import Figure, figure
from benchmarks._server import stop_server, wait_until_serving

DESCRIPTION = (
    "spectating: 1,000 avatars, 200 spectators, 1 Hz ticks on one uvicorn + channels-redis, "
    "against per-sample fan-out"
)
NAME = "spectating"
SERVER_TIME = re.compile(r'"server_time":([0-9.]+)')
ROOT = Path(__file__).resolve().parent.parent
TICK_FRAME = '{"type":"tick"'
ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


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
    from benchmarks._routes import straight_north
    from wellness.people.services import access_token_create, user_sign_up
    from worlds import services as worlds_services
    from worlds.gpx import gpx_write

    viewer = user_sign_up(email="viewer@bench.test", password=secrets.token_urlsafe(16))
    _, raw = access_token_create(user=viewer, name="bench", scope="api")
    world = worlds_services.world_create_from_gpx(
        owner=None, name="Benchmark loop", gpx=gpx_write(straight_north(5_000))
    )
    print(json.dumps({"world_id": world.pk, "token": raw}))


def _moving(count: int, one_by_one: int) -> None:
    """Run in a subprocess on the scratch PostgreSQL database: ``count`` live sessions in one
    world, a sample each per tick, moved by ``avatars_advance`` (the ticker's call) and, for
    ``one_by_one`` of them, by ``avatars_advance` call` each (what the ticker did per session before);
    print the seconds of a tick both ways (the latter scaled to ``count``)."""
    import datetime as dt

    from benchmarks._scratch_db import setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from benchmarks._routes import straight_north
    from wellness.people.models import Profile, User
    from wellness.workouts.models import Workout
    from worlds import services
    from worlds.gpx import gpx_write
    from worlds.models import AvatarSession

    tag = secrets.token_hex(4)
    world = services.world_create_from_gpx(
        owner=None, name=f"Moving {tag}", gpx=gpx_write(straight_north(10_000)),
        landmarks=[{"name": f"Mark {k}", "distance_m": 25.0 * k} for k in range(1, 40)],
    )  # fmt: skip
    try:
        people = User.objects.bulk_create(
            User(email=f"mover{i}-{tag}@bench.test") for i in range(count)
        )
        Profile.objects.bulk_create(
            Profile(user=u, display_name=f"Mover {i}") for i, u in enumerate(people)
        )
        workouts = Workout.objects.bulk_create(
            Workout(user=u, sport="run", started_at=dt.datetime.now(dt.UTC), source="bridge")
            for u in people
        )
        sessions = AvatarSession.objects.bulk_create(
            AvatarSession(world=world, user=u, workout_id=w.pk, sport="run")
            for u, w in zip(people, workouts, strict=True)
        )
        # Speeds spread the field out, so avatars pass each other and landmarks.
        speed = {s.pk: 2.5 + (i % 25) * 0.1 for i, s in enumerate(sessions)}

        def tick(t: float) -> dict[int, list[dict[str, float]]]:
            return {pk: [{"t": t, "speed": v, "hr": 150}] for pk, v in speed.items()}

        services.avatars_advance(world_id=world.pk, batches=tick(0.0))
        batched = []
        for t in range(1, 6):
            started = time.perf_counter()
            services.avatars_advance(world_id=world.pk, batches=tick(float(t)))
            batched.append(time.perf_counter() - started)
        started = time.perf_counter()
        for pk in list(speed)[:one_by_one]:
            services.avatars_advance(world_id=world.pk, batches={pk: tick(6.0)[pk]})
        each = (time.perf_counter() - started) / one_by_one
    finally:
        world.delete()
        User.objects.filter(email__endswith=f"-{tag}@bench.test").delete()
    print(json.dumps({"batched_s": _percentile(batched, 0.5), "one_by_one_s": each * count}))


def instrumented_application() -> ASGIApp:
    """``uvicorn --factory``: the real application, with each tick frame's write time recorded.

    Per ``server_time``: frames written, the first and last time a write returned and the
    process's CPU time at both, dumped to ``$BENCH_SPECTATING_WRITES`` when the server exits.
    """
    from wellness.config.asgi import application

    writes: dict[str, list[float]] = {}
    atexit.register(
        lambda: Path(os.environ["BENCH_SPECTATING_WRITES"]).write_text(json.dumps(writes))
    )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await application(scope, receive, send)
            return

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            text = message.get("text")
            if text and text.startswith(TICK_FRAME):
                done, cpu = time.time(), time.process_time()
                match = SERVER_TIME.search(text, 0, 120)
                if match:
                    seen = writes.setdefault(match.group(1), [0, done, done, cpu, cpu])
                    seen[0] += 1
                    seen[2], seen[4] = done, cpu

        await application(scope, receive, timed_send)

    return app


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


# --- spectator processes -----------------------------------------------------------------------


class _Phase:
    """What one spectator process measured in one phase (set by the driver's commands)."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, float, int]] = []  # server_time, latency, updates
        self.updates = 0
        self.updates_in_window: int | None = None


async def _spectate(url: str, token: str, world_id: int, count: int) -> None:
    """Connect ``count`` spectators, then follow the driver's commands on stdin:
    ``tick``/``naive`` start a phase, ``window`` notes the updates so far, ``stop`` prints JSON."""
    import websockets

    sockets = []
    for _ in range(count):
        ws = await websockets.connect(
            f"{url}/ws/v1/worlds/{world_id}/",
            additional_headers={"Authorization": f"Bearer {token}"},
            compression=os.environ.get("BENCH_SPECTATOR_COMPRESSION") or None,
            max_size=None,
        )
        await ws.recv()  # the snapshot
        sockets.append(ws)
    phases: dict[str, _Phase] = {"tick": _Phase(), "naive": _Phase()}
    current: list[_Phase | None] = [None]

    async def listen(ws: Any) -> None:
        async for frame in ws:
            received = time.time()
            phase = current[0]
            if phase is None:
                continue
            # Only what is measured is parsed.
            data = frame if isinstance(frame, str) else frame.decode()
            match = SERVER_TIME.search(data, 0, 120)
            rows = data[data.index('"avatars":[') + 11 :]
            updates = 0 if rows.startswith("]") else rows.split("]]", 1)[0].count("],[") + 1
            phase.updates += updates
            if match:
                stamp = float(match.group(1))
                phase.frames.append((stamp, received - stamp, updates))

    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while (command := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) != "stop":
        if command in phases:
            current[0] = phases[command]
        elif command == "window" and current[0] is not None:
            current[0].updates_in_window = current[0].updates
        elif command == "off":
            current[0] = None
    current[0] = None
    for task in listeners:
        task.cancel()
    for ws in sockets:
        await ws.close()
    print(json.dumps({name: vars(phase) for name, phase in phases.items()}), flush=True)


def _spectator_main() -> None:
    url, token, world_id, count = sys.argv[1:5]
    asyncio.run(_spectate(url, token, int(world_id), int(count)))


class _Spectators:
    """The spectator processes, driven through their stdin."""

    def __init__(self, url: str, token: str, world_id: int, total: int, processes: int) -> None:
        self.procs = []
        code = "from benchmarks.spectating import _spectator_main; _spectator_main()"
        for k in range(processes):
            count = total // processes + (1 if k < total % processes else 0)
            argv = [sys.executable, "-c", code, url, token, str(world_id), str(count)]
            self.procs.append(
                subprocess.Popen(
                    argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            )
        for proc in self.procs:
            if self._out(proc).readline().strip() != "ready":
                raise RuntimeError("a spectator process could not connect")

    @staticmethod
    def _out(proc: subprocess.Popen[str]) -> IO[str]:
        assert proc.stdout is not None
        return proc.stdout

    def command(self, command: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(command + "\n")
            proc.stdin.flush()

    def results(self) -> list[dict[str, Any]]:
        self.command("stop")
        out = [json.loads(self._out(proc).readline()) for proc in self.procs]
        for proc in self.procs:
            proc.wait(timeout=30)
        return out

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# --- the driver ---------------------------------------------------------------------------------


async def _drive(
    spectators: _Spectators, world_id: int, prefix: str, redis_url: str, sizes: dict[str, Any]
) -> dict[str, float]:
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(hosts=[redis_url], prefix=prefix)
    world_group, view_group = f"world-{world_id}", f"world-{world_id}-view-bench"
    avatars, batches = sizes["avatars"], 10

    # Ticks: avatars' states arrive in ten batches a second; each spectator gets one frame a tick.
    started = time.monotonic()
    warmup, seconds = 1.5, sizes["seconds"]
    recording = False
    tick_from = 0.0
    sent = 0
    while (elapsed := time.monotonic() - started) < warmup + seconds:
        if not recording and elapsed >= warmup:
            recording, tick_from = True, time.time()
            spectators.command("tick")
        b = sent % batches
        part = range(b * avatars // batches, (b + 1) * avatars // batches)
        await layer.group_send(
            world_group,
            {"type": "world.avatars", "avatars": [_avatar(i, time.time()) for i in part]},
        )
        sent += 1
        # Paced by the clock, not by sleeps: exactly ``avatars`` updates a second.
        await asyncio.sleep(max(0.0, started + sent / batches - time.monotonic()))
    await asyncio.sleep(1.2)  # the last tick of the window
    spectators.command("off")

    # Baseline: every update on its own to every spectator (the same server and sockets).
    spectators.command("naive")
    naive_window, naive_from = sizes["naive_seconds"], time.time()
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < naive_window:
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
    spectators.command("window")
    await asyncio.sleep(1.0)  # what arrives within a second after the window still counts as late
    await layer.flush()
    return {"tick_from": tick_from, "naive_from": naive_from}


def _server_writes(path: Path, since: float, until: float) -> list[tuple[float, float, float]]:
    """Per tick of the window: seconds from ``server_time`` to its last frame written, seconds
    from its first frame written to its last, and the server's CPU seconds in between."""
    writes = json.loads(path.read_text())
    return [
        (last - float(stamp), last - first, cpu_last - cpu_first)
        for stamp, (_, first, last, cpu_first, cpu_last) in writes.items()
        if since <= float(stamp) <= until
    ]


def run(quick: bool) -> list[Figure]:
    sizes = (
        {"avatars": 1_000, "spectators": 200, "seconds": 4, "naive_seconds": 1}
        if quick
        else {"avatars": 1_000, "spectators": 200, "seconds": 15, "naive_seconds": 3}
    )
    processes = int(os.environ.get("BENCH_SPECTATOR_PROCESSES") or 4)
    one_by_one = 20 if quick else 100
    moved = subprocess.run(
        [sys.executable, "-c",
         f"from benchmarks.spectating import _moving; _moving({sizes['avatars']}, {one_by_one})"],
        cwd=ROOT, check=True, capture_output=True, text=True,
        env={"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "wellness.config.settings", **os.environ},
    )  # fmt: skip
    moving = json.loads(moved.stdout.strip().splitlines()[-1])
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"bench-spectating-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp:
        writes_path = Path(tmp) / "writes.json"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wellness.config.settings",
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "REDIS_URL": redis_url,
            "CHANNELS_PREFIX": prefix,
            "WORLDS_PROCESS_TOKEN": "bench",
            "WORLDS_TICK_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            "BENCH_SPECTATING_WRITES": str(writes_path),
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
            [python, "-m", "uvicorn", "benchmarks.spectating:instrumented_application",
             "--factory", "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        spectators = None
        try:
            wait_until_serving(port, server)
            spectators = _Spectators(
                f"ws://127.0.0.1:{port}", setup["token"], setup["world_id"],
                sizes["spectators"], processes,
            )  # fmt: skip
            window = asyncio.run(_drive(spectators, setup["world_id"], prefix, redis_url, sizes))
            measured = spectators.results()
        finally:
            if spectators is not None:
                spectators.kill()
            stop_server(server)
        since, until = window["tick_from"], window["tick_from"] + sizes["seconds"]
        written = _server_writes(writes_path, since, until)
        naive_since = window["naive_from"]
        naive_written = _server_writes(
            writes_path, naive_since, naive_since + sizes["naive_seconds"]
        )
    # Ticks stamped within the window: exactly ``seconds`` ticks' worth of updates.
    tick_frames = [f for m in measured for f in m["tick"]["frames"] if since <= f[0] < until]
    tick_latencies = [latency for _, latency, _ in tick_frames]
    naive_latencies = [latency for m in measured for _, latency, _ in m["naive"]["frames"]]
    tick_rate = sum(updates for _, _, updates in tick_frames) / sizes["seconds"]
    naive_rate = (
        sum(m["naive"]["updates_in_window"] or 0 for m in measured) / sizes["naive_seconds"]
    )
    label = f"{sizes['avatars']} avatars, {sizes['spectators']} spectators"

    def latency(what: str, q: float, values: list[float], naive: list[float], goal: str) -> Figure:
        return figure(
            NAME, f"{what} p{round(q * 100)} ({label}; baseline: per-sample fan-out)",
            _percentile(values, q) * 1000, "ms", baseline=_percentile(naive, q) * 1000,
            goal=goal, higher_is_better=False,
        )  # fmt: skip

    on_server, naive_on_server = [w[0] for w in written], [w[0] for w in naive_written]
    return [
        latency("tick delivery", 0.99, tick_latencies, naive_latencies, "< 100 ms"),
        latency("tick delivery", 0.50, tick_latencies, naive_latencies, "informational"),
        latency("server: tick stamped to its last frame written", 0.99, on_server, naive_on_server,
                "informational (the server's part of delivery)"),
        latency("server: tick stamped to its last frame written", 0.50, on_server, naive_on_server,
                "informational"),
        figure(
            NAME, f"server: CPU from a tick's first frame written to its last, median ({label})",
            _percentile([w[2] for w in written], 0.50) * 1000, "ms", baseline=None,
            goal="informational (fan-out cost per tick, robust to machine load)",
            higher_is_better=False,
        ),
        figure(
            NAME, f"one tick moving {sizes['avatars']:,} live avatars a sample each, PostgreSQL "
            f"(baseline: one avatars_advance call per session, {one_by_one} timed, scaled)",
            moving["batched_s"] * 1000, "ms", baseline=moving["one_by_one_s"] * 1000,
            goal="< 1,000 ms (within a 1 Hz tick)", higher_is_better=False,
        ),
        figure(
            NAME, f"avatar-updates delivered per second ({label}; baseline: per-sample fan-out)",
            tick_rate, "updates/s", baseline=naive_rate,
            goal=f"all {sizes['avatars'] * sizes['spectators']:,}/s offered, ratio > 1",
            higher_is_better=True,
        ),
    ]  # fmt: skip
