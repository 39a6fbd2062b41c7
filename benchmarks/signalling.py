"""Consultation-room signalling: offer, answer and ICE candidates between the two peers of many
rooms, through one uvicorn process and channels-redis, against per-message database look-ups.

One uvicorn process (uvloop, the channels-redis pub/sub layer, the scratch PostgreSQL database
``WELLVERSE_BENCH_DATABASE``) serves ``/ws/v1/rooms/<id>/`` to ``rooms`` clinicians and their
patients (already admitted), each signed in with a browser session (the clinician's verified by a
second factor) and sending the browser's Origin. Both sockets of a room live in the same client
process (``BENCH_SIGNALLING_PROCESSES``, default 4, share the rooms), so a message's latency is
read on one clock: from just before a peer sends it to the other peer receiving it. The rooms
start their exchange spread over ``spread`` seconds: the clinician sends an offer, the patient an
answer, then each sends 10 ICE candidates (22 messages a room, 11 per socket: within the sockets'
rate limit).

The baseline, in the same run and server: the same traffic through a consumer that looks the
participant's access up in the database for every message it relays (``NaiveRoomConsumer``, only
here), as a room that re-checks rather than being closed by a broadcast would.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from benchmarks import Figure, figure
from benchmarks._server import stop_server, wait_until_serving
from benchmarks.spectating import _free_port, _percentile

DESCRIPTION = (
    "signalling: 1,000 consultation rooms exchange offer, answer and 10 ICE candidates each over "
    "one uvicorn + channels-redis, against a database look-up per message"
)
NAME = "signalling"
ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = 10
ORIGIN = "http://127.0.0.1"
SIGNAL_FRAME = '{"type": "signal"'
SENT = re.compile(r'"sent": ([0-9.]+)')


# --- scratch data (run in a subprocess on the scratch database) --------------------------------


def _setup(rooms: int, tag: str, out: str) -> None:
    """``rooms`` verified clinicians (a recovery-code device each), their patients, an open
    appointment per pair with the patient admitted, and a browser session per person (the
    clinician's verified by the second factor); the rooms and cookies are written to ``out``."""
    import datetime as dt

    from benchmarks._scratch_db import setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from wellness.care.models import Appointment, CareOrganisation, ClinicianProfile
    from wellness.people.models import Profile, User

    now = dt.datetime.now(dt.UTC)
    users = User.objects.bulk_create(
        User(email=f"{role}{i}-{tag}@bench.test", password=make_password(None))
        for i in range(rooms)
        for role in ("clinician", "patient")
    )
    Profile.objects.bulk_create(Profile(user=u, display_name=u.email[:20]) for u in users)
    clinician_users, patients = users[0::2], users[1::2]
    organisation = CareOrganisation.objects.create(name=f"Bench {tag}", kind="clinic")
    clinicians = ClinicianProfile.objects.bulk_create(
        ClinicianProfile(
            user=u, profession="doctor", registration_number=f"B{i}", organisation=organisation,
            professional_name=f"Dr. Bench {i}", invite_code=f"{tag}{i:08d}", verified_at=now,
        )
        for i, u in enumerate(clinician_users)
    )  # fmt: skip
    devices = StaticDevice.objects.bulk_create(
        StaticDevice(user=u, name="Recovery codes", confirmed=True) for u in clinician_users
    )
    appointments = Appointment.objects.bulk_create(
        Appointment(
            clinician=c, patient=p, starts_at=now - dt.timedelta(minutes=1),
            ends_at=now + dt.timedelta(hours=2), patient_admitted_at=now,
        )
        for c, p in zip(clinicians, patients, strict=True)
    )  # fmt: skip
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    store = SessionStore()
    sessions: list[Session] = []

    def session(user: User, extra: dict[str, str]) -> str:
        key = f"bench{tag}{len(sessions):08d}".ljust(32, "0")
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": backend,
            "_auth_user_hash": user.get_session_auth_hash(),
            **extra,
        }
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + dt.timedelta(hours=3),
            )
        )
        return key

    table = [
        [
            a.pk,
            session(c.user, {DEVICE_ID_SESSION_KEY: d.persistent_id}),
            session(p, {}),
        ]
        for a, c, d, p in zip(appointments, clinicians, devices, patients, strict=True)
    ]
    Session.objects.bulk_create(sessions)
    Path(out).write_text(json.dumps(table))


def _cleanup(tag: str) -> None:
    from benchmarks._scratch_db import setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from django.contrib.sessions.models import Session

    from wellness.care.models import CareOrganisation
    from wellness.people.models import User

    Session.objects.filter(session_key__startswith=f"bench{tag}").delete()
    User.objects.filter(email__endswith=f"-{tag}@bench.test").delete()
    CareOrganisation.objects.filter(name=f"Bench {tag}").delete()


# --- the server: the real application plus the naive route ---------------------------------------


def application_with_baseline() -> Any:
    """``uvicorn --factory``: the real application, plus ``/ws/v1/naive-rooms/<id>/`` served by a
    room consumer that looks the participant's access up in the database for every message."""
    import django

    django.setup()
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import path

    from wellness.care.rooms.consumers import ConsultationRoomConsumer
    from wellness.config import asgi
    from wellness.config.lifespan import lifespan
    from wellness.people.websocket import CLOSE_FORBIDDEN, websocket_stack

    class NaiveRoomConsumer(ConsultationRoomConsumer):
        async def receive_json(self, content: Any, **kwargs: Any) -> None:
            access = await self._access()
            if access is None or not access.is_open:
                await self.close(code=CLOSE_FORBIDDEN)
                return
            await super().receive_json(content, **kwargs)

    naive = path("ws/v1/naive-rooms/<dbid:appointment_id>/", NaiveRoomConsumer.as_asgi())
    websocket = websocket_stack(URLRouter([naive, *asgi.websocket_urlpatterns]))
    # Per route: seconds from a client stamping a signal to the server writing it to the peer.
    writes: dict[str, list[float]] = {"rooms": [], "naive-rooms": []}
    atexit.register(
        lambda: Path(os.environ["BENCH_SIGNALLING_WRITES"]).write_text(json.dumps(writes))
    )

    async def timed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        written = writes["naive-rooms" if "/naive-rooms/" in scope["path"] else "rooms"]

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            text = message.get("text")
            if text and text.startswith(SIGNAL_FRAME):
                match = SENT.search(text)
                if match:
                    written.append(time.time() - float(match.group(1)))

        await websocket(scope, receive, timed_send)

    return ProtocolTypeRouter({"http": asgi.django_http, "websocket": timed, "lifespan": lifespan})


# --- client processes ----------------------------------------------------------------------------


async def _connect(url: str, cookie: str) -> Any:
    import websockets

    for attempt in range(5):
        try:
            ws = await websockets.connect(
                url,
                additional_headers={"Cookie": f"sessionid={cookie}"},
                origin=ORIGIN,  # type: ignore[arg-type]
                open_timeout=60,
                max_size=None,
            )
            welcome = json.loads(await ws.recv())
            assert welcome["type"] == "welcome", welcome
            return ws
        except (OSError, TimeoutError):
            await asyncio.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"could not connect to {url}")


async def _clients(base: str, kind: str, rooms: list[list[Any]], spread: float) -> None:
    """Connect both peers of each room, say ``ready``, wait for ``go``, run every room's exchange
    at a random moment within ``spread`` seconds, print the latencies (seconds) as JSON."""
    import websockets

    latencies: list[float] = []
    listeners: list[asyncio.Future[None]] = []
    limit = asyncio.Semaphore(20)

    async def pair(room: list[Any]) -> tuple[Any, Any, asyncio.Queue[Any], asyncio.Queue[Any]]:
        appointment_id, clinician_cookie, patient_cookie = room
        url = f"{base}/ws/v1/{kind}/{appointment_id}/"
        async with limit:
            clinician = await _connect(url, clinician_cookie)
            patient = await _connect(url, patient_cookie)
        queues: tuple[asyncio.Queue[Any], asyncio.Queue[Any]] = (asyncio.Queue(), asyncio.Queue())
        for ws, queue in zip((clinician, patient), queues, strict=True):
            listeners.append(asyncio.ensure_future(listen(ws, queue)))
        for queue in queues:  # each hears the other is present
            while (await asyncio.wait_for(queue.get(), 60))["type"] != "peer":
                pass
        return clinician, patient, *queues

    async def listen(ws: Any, queue: asyncio.Queue[Any]) -> None:
        try:
            async for frame in ws:
                received = time.time()
                message = json.loads(frame)
                if message["type"] == "signal":
                    latencies.append(received - message["data"]["sent"])
                await queue.put(message)
        except websockets.ConnectionClosed:  # an abnormal close ends the listening too
            return

    async def send(ws: Any, data: dict[str, Any]) -> None:
        await ws.send(json.dumps({"action": "signal", "data": data | {"sent": time.time()}}))

    async def signal_from(queue: asyncio.Queue[Any]) -> None:
        while (await asyncio.wait_for(queue.get(), 15))["type"] != "signal":
            pass

    async def exchange(peers: Any, delay: float) -> None:
        clinician, patient, clinician_q, patient_q = peers
        await asyncio.sleep(delay)
        await send(clinician, {"kind": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 80})
        await signal_from(patient_q)
        await send(patient, {"kind": "answer", "sdp": "v=0\r\n" + "a=y\r\n" * 80})
        await signal_from(clinician_q)
        for i in range(CANDIDATES):
            candidate = f"candidate:{i} 1 udp 2122260223 127.0.0.1 {50000 + i} typ host"
            await send(clinician, {"kind": "candidate", "candidate": candidate})
            await send(patient, {"kind": "candidate", "candidate": candidate})
        for _ in range(CANDIDATES):
            await signal_from(patient_q)
            await signal_from(clinician_q)

    peers = await asyncio.gather(*(pair(room) for room in rooms))
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    results = await asyncio.gather(
        *(exchange(p, random.uniform(0, spread)) for p in peers),
        return_exceptions=True,
    )
    failed = sum(1 for r in results if isinstance(r, BaseException))
    for clinician, patient, _, _ in peers:
        await clinician.close()
        await patient.close()
    print(json.dumps({"latencies": latencies, "failed": failed}), flush=True)


def _client_main() -> None:
    base, kind, rooms_file, start, stop, spread = sys.argv[1:7]
    rooms = json.loads(Path(rooms_file).read_text())[int(start) : int(stop)]
    asyncio.run(_clients(base, kind, rooms, float(spread)))


def _phase(
    base: str, kind: str, rooms_file: str, count: int, spread: float, processes: int
) -> dict[str, Any]:
    code = "from benchmarks.signalling import _client_main; _client_main()"
    procs: list[subprocess.Popen[str]] = []
    try:
        for k in range(processes):
            start, stop = k * count // processes, (k + 1) * count // processes
            argv = [
                sys.executable,
                "-c",
                code,
                base,
                kind,
                rooms_file,
                str(start),
                str(stop),
                str(spread),
            ]
            procs.append(
                subprocess.Popen(
                    argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            )
        for proc in procs:
            if _out(proc).readline().strip() != "ready":
                raise RuntimeError("a client process could not connect its rooms")
        for proc in procs:  # all start together
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(_out(proc).readline()) for proc in procs]
        for proc in procs:
            proc.wait(timeout=30)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return {
        "latencies": [x for r in results for x in r["latencies"]],
        "failed": sum(r["failed"] for r in results),
    }


def _out(proc: subprocess.Popen[str]) -> IO[str]:
    assert proc.stdout is not None
    return proc.stdout


# --- the driver ------------------------------------------------------------------------------------


def run(quick: bool) -> list[Figure]:
    # 1,000 consultations booked on the half hour start their calls within two minutes; the
    # quick run keeps that rate of rooms starting (~8 a second).
    rooms, spread = (40, 5.0) if quick else (1_000, 120.0)
    processes = int(os.environ.get("BENCH_SIGNALLING_PROCESSES") or (2 if quick else 4))
    tag = secrets.token_hex(4)
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wellness.config.settings",
        "DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": f"bench-signalling-{tag}",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        rooms_file = str(Path(tmp) / "rooms.json")
        writes_file = Path(tmp) / "writes.json"
        subprocess.run(
            [python, "-c", "from benchmarks.signalling import _setup; "
             f"_setup({rooms}, {tag!r}, {rooms_file!r})"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        from benchmarks._scratch_db import scratch_database_url

        port = _free_port()
        server = subprocess.Popen(
            [python, "-m", "uvicorn", "benchmarks.signalling:application_with_baseline",
             "--factory", "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
             "--log-level", "warning"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": scratch_database_url(),
                 "BENCH_SIGNALLING_WRITES": str(writes_file)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until_serving(port, server)
            base = f"ws://127.0.0.1:{port}"
            ours = _phase(base, "rooms", rooms_file, rooms, spread, processes)
            naive = _phase(base, "naive-rooms", rooms_file, rooms, spread, processes)
        finally:
            stop_server(server)
            subprocess.run(
                [python, "-c", f"from benchmarks.signalling import _cleanup; _cleanup({tag!r})"],
                cwd=ROOT, env=env, check=False,
            )  # fmt: skip
        writes = json.loads(writes_file.read_text())
    expected = rooms * (2 + 2 * CANDIDATES)
    label = f"{rooms:,} rooms, {2 * rooms:,} sockets, spread over {spread:g} s"

    def latency(q: float, goal: str, *, on_server: bool = False) -> Figure:
        what = "server: signal stamped to written to the peer" if on_server else "peer to peer"
        values = writes["rooms"] if on_server else ours["latencies"]
        naive_values = writes["naive-rooms"] if on_server else naive["latencies"]
        return figure(
            NAME, f"{what} p{round(q * 100)} ({label}; baseline: a DB look-up a message)",
            _percentile(values, q) * 1000, "ms", baseline=_percentile(naive_values, q) * 1000,
            goal=goal, higher_is_better=False,
        )  # fmt: skip

    return [
        latency(0.99, "< 50 ms at 1,000 rooms"),
        latency(0.50, "informational"),
        latency(0.99, "informational (the server's part)", on_server=True),
        latency(0.50, "informational", on_server=True),
        figure(
            NAME, f"signals delivered of {expected:,} ({label}; baseline: a DB look-up a message)",
            float(len(ours["latencies"])), "messages", baseline=float(len(naive["latencies"])),
            goal=f"all {expected:,}, no room failed (failed: {ours['failed']}, baseline {naive['failed']})",
            higher_is_better=True,
        ),
    ]  # fmt: skip
