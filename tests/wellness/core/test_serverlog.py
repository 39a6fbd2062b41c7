"""The server's log at WARNING shows a worker that died and was replaced."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.servers import free_port
from wellness.core.serverlog import WarningsAndCrashes

ROOT = Path(__file__).resolve().parents[3]


def record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", level, __file__, 1, message, None, None)


def test_a_worker_that_died_becomes_a_warning_and_other_info_is_dropped() -> None:
    crash = record(logging.INFO, "Child process [%d] died")
    crash.args = (4242,)
    started = record(logging.INFO, "Started server process [4242]")
    failed = record(logging.ERROR, "Exception in ASGI application")

    kept = [r for r in (crash, started, failed) if WarningsAndCrashes().filter(r)]

    assert kept == [crash, failed]
    assert (crash.levelno, crash.levelname) == (logging.WARNING, "WARNING")


def worker_pids(supervisor: int) -> set[int]:
    """The uvicorn workers (multiprocessing spawn children) of the supervisor process."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if ppid == supervisor and b"spawn_main" in command:
            pids.add(int(entry.name))
    return pids


def test_the_server_logs_a_killed_worker_at_warning(tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DEBUG="true", WELLVERSE_VAR_DIR=str(tmp_path / "var"))
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "wellness.config.asgi:application",
            "--port", str(free_port()), "--workers", "2", "--lifespan", "off",
            "--log-config", "wellness/config/uvicorn-logging.json",  # as scripts/run.sh serves
        ],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(workers := worker_pids(server.pid)) < 2:
            assert time.monotonic() < deadline, log.read_text()
            assert server.poll() is None, log.read_text()
            time.sleep(0.1)
        victim = min(workers)

        os.kill(victim, signal.SIGKILL)

        while f"Child process [{victim}] died" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert any(f"WARNING:  Child process [{victim}] died" in line for line in lines), lines
    assert not any("INFO" in line for line in lines), lines
