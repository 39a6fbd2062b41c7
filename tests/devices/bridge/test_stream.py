"""Streaming to live ingest: acknowledgements, the durable journal, network cuts, bad tokens."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from devices import simulator
from devices.bridge.client import IngestClient, ingest_url
from devices.bridge.journal import Journal
from devices.profiles import PROFILES
from tests.devices.bridge.ingest_stub import IngestServer

ROOT = Path(__file__).resolve().parents[3]


def _bridge(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devices.bridge", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "WELLVERSE_TOKEN": ""},
    )


def _expected_simulation(sport: str, seed: int, seconds: int) -> dict[str, list[dict[str, object]]]:
    """What the simulator's frames decode to, per device, without the (wall-clock) times."""
    athlete = simulator.Athlete(sport=sport, seed=seed, start_t=0.0)
    by_uuid = {p.characteristic_uuid: p for p in PROFILES}
    decoders: dict[tuple[str, str], object] = {}
    out: dict[str, list[dict[str, object]]] = {}
    for _ in range(seconds):
        for frame in athlete.step(1.0):
            key = (frame.device, frame.characteristic)
            profile = decoders.setdefault(key, by_uuid[frame.characteristic]())
            sample = profile.feed(frame.data, frame.t)  # type: ignore[attr-defined]
            if sample is not None:
                out.setdefault(frame.device, []).append(sample)
    return out


def _without_t(samples: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in s.items() if k != "t"} for s in samples]


def test_ingest_url_accepts_http_and_websocket_spellings() -> None:
    assert ingest_url("https://w.example.org") == "wss://w.example.org/ws/v1/ingest/"
    assert ingest_url("http://127.0.0.1:8000/") == "ws://127.0.0.1:8000/ws/v1/ingest/"
    assert ingest_url("ws://h/ws/v1/ingest/") == "ws://h/ws/v1/ingest/"


async def test_streamed_samples_are_acknowledged_and_leave_the_journal(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    client = IngestClient(
        server=ingest_server.url,
        token=ingest_server.token,
        journal=journal,
        sport="run",
        indoor=True,
        batch_seconds=0.05,
    )
    run = asyncio.create_task(client.run())
    for i in range(30):
        client.add("strap", {"t": 1000.0 + i, "hr": 100 + i})
        client.add("pod", {"t": 1000.0 + i, "cadence": 170})
        await asyncio.sleep(0.005)

    finished = await client.close(finish=True, timeout=10)
    run.cancel()

    workout_id = client.stats.workout_id
    assert finished is True
    assert workout_id is not None
    assert [s["hr"] for s in ingest_server.stub.samples(workout_id, "strap")] == list(
        range(100, 130)
    )
    assert len(ingest_server.stub.samples(workout_id, "pod")) == 30
    assert ingest_server.stub.workouts[workout_id].finished is True
    assert (client.stats.sent, client.stats.acked) == (60, 60)
    assert journal.pending_count() == 0
    assert journal.session() is None


async def test_unacknowledged_batches_survive_a_restart_and_are_sent_once(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    ingest_server.cut()
    first = IngestClient(
        server=ingest_server.url,
        token=ingest_server.token,
        journal=Journal(path),
        sport="ride",
        indoor=True,
    )
    run = asyncio.create_task(first.run())
    for i in range(5):
        first.add("trainer", {"t": 2000.0 + i, "power": 200 + i})
    complete = await first.close(finish=True, timeout=0.5)
    run.cancel()
    first.journal.close()

    assert complete is False
    assert ingest_server.stub.sample_count() == 0

    ingest_server.restore()
    journal = Journal(path)
    second = IngestClient(
        server=ingest_server.url,
        token=ingest_server.token,
        journal=journal,
        sport="ride",
        indoor=True,
    )
    run = asyncio.create_task(second.run())
    second.add("trainer", {"t": 2005.0, "power": 205})
    complete = await second.close(finish=True, timeout=10)
    run.cancel()

    assert complete is True
    assert second.session.client_id == first.session.client_id
    assert [s["power"] for s in ingest_server.stub.samples(1, "trainer")] == [
        200,
        201,
        202,
        203,
        204,
        205,
    ]
    assert len(ingest_server.stub.workouts) == 1
    assert journal.pending_count() == 0


def test_network_cut_mid_stream_delivers_every_sample_exactly_once(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    """The real CLI streams a simulated run; the link dies mid-stream and comes back."""
    process = subprocess.Popen(
        [
            sys.executable, "-m", "devices.bridge", "simulate", "--profile", "run",
            "--duration", "160", "--speed", "20", "--seed", "7",
            "--server", ingest_server.url, "--token", ingest_server.token,
            "--journal", str(tmp_path / "journal.sqlite3"),
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while ingest_server.stub.sample_count() < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    ingest_server.cut()
    stored_before_cut = ingest_server.stub.sample_count()
    time.sleep(1.5)
    ingest_server.restore()
    stdout, stderr = process.communicate(timeout=60)

    expected = _expected_simulation("run", seed=7, seconds=160)
    assert process.returncode == 0, stderr
    assert 20 <= stored_before_cut < sum(len(v) for v in expected.values())
    assert ingest_server.stub.connections >= 2
    assert ingest_server.stub.devices(1) == set(expected)
    for device, samples in expected.items():
        stored = ingest_server.stub.samples(1, device)
        times = [s["t"] for s in stored]
        assert _without_t(stored) == _without_t(samples), device
        assert times == sorted(set(times)), device
    assert ingest_server.stub.workouts[1].finished is True
    assert "Workout 1 finished" in stdout


def test_refused_token_exits_2_with_a_sentence_and_stores_nothing(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    result = _bridge(
        "simulate", "--profile", "walk", "--duration", "5", "--speed", "0",
        "--server", ingest_server.url, "--token", "wv_wrong",
        "--journal", str(tmp_path / "journal.sqlite3"),
    )  # fmt: skip

    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "error: The server closed the stream: the server did not accept the token "
        "(unauthenticated) (close code 4401)."
    )
    assert ingest_server.stub.sample_count() == 0


async def test_a_batch_the_server_refuses_leaves_the_journal_and_the_rest_is_stored(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    client = IngestClient(
        server=ingest_server.url, token=ingest_server.token, journal=journal, sport="run",
        indoor=True, batch_seconds=60,
    )  # fmt: skip
    run = asyncio.create_task(client.run())
    client.add("strap", {"t": 1.0, "hr": 400})
    client.flush()
    client.add("strap", {"t": 2.0, "hr": 120})

    finished = await client.close(finish=True, timeout=10)
    run.cancel()

    assert finished is True
    assert ingest_server.stub.samples(1, "strap") == [{"t": 2.0, "hr": 120}]
    assert client.stats.errors == 1
    assert client.stats.last_error == (
        "validation_error: Heart rate must be between 20 and 250 bpm."
    )
    assert journal.pending_count() == 0


def test_a_url_without_live_ingest_exits_2_with_a_sentence(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_404() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

        server = threading.Thread(target=answer_404, daemon=True)
        server.start()
        result = _bridge(
            "simulate", "--profile", "walk", "--duration", "3", "--speed", "0",
            "--server", f"http://127.0.0.1:{port}/", "--token", "wv_t",
            "--journal", str(tmp_path / "journal.sqlite3"),
        )  # fmt: skip
        server.join(5)

    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"error: There is no live-ingest endpoint at ws://127.0.0.1:{port}/ws/v1/ingest/ "
        "(HTTP 404); check --server."
    )


def test_a_run_that_ends_offline_exits_1_and_the_next_run_sends_its_samples_once(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    journal = str(tmp_path / "journal.sqlite3")
    common = ["--server", ingest_server.url, "--token", ingest_server.token, "--journal", journal]
    ingest_server.cut()

    offline = _bridge(
        "simulate", "--profile", "yoga", "--duration", "20", "--speed", "0", "--seed", "5",
        "--flush-timeout", "1", *common,
    )  # fmt: skip

    assert offline.returncode == 1
    assert "stay in the journal and are sent by the next run" in offline.stderr
    assert ingest_server.stub.sample_count() == 0

    ingest_server.restore()
    online = _bridge(
        "simulate", "--profile", "yoga", "--duration", "20", "--speed", "0", "--seed", "5",
        *common,
    )  # fmt: skip

    one_run = _expected_simulation("yoga", seed=5, seconds=20)[simulator.HR_STRAP]
    stored = ingest_server.stub.samples(1, simulator.HR_STRAP)
    assert online.returncode == 0, online.stderr
    assert len(ingest_server.stub.workouts) == 1
    assert _without_t(stored) == _without_t(one_run) * 2
    assert ingest_server.stub.workouts[1].finished is True
