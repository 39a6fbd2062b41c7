"""`make run` on a fresh checkout: installs, migrates, seeds, serves, prints the URL; Ctrl-C stops it."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port
from wellness.people.models import User

ROOT = Path(__file__).resolve().parent.parent


def _json(url: str, *, token: str = "", body: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _group_gone(pgid: int, within_s: float) -> bool:
    """Whether every process of the process group has exited within ``within_s``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_run_command_serves_a_simulated_athlete_who_moves_and_ctrl_c_stops_everything(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "WELLVERSE_NO_SIMULATOR"}
    }
    env.update(PORT=str(port), WELLVERSE_VAR_DIR=str(tmp_path / "var"))
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    opened = re.compile(rf"Wellverse is running: open {re.escape(url)}worlds/(\d+)")
    positions: list[float] = []
    try:
        deadline = time.monotonic() + 180
        while (match := opened.search(Path(log.name).read_text())) is None:
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        world_id = int(match.group(1))
        with urllib.request.urlopen(url, timeout=5) as response:
            page = response.read().decode()
        token = _json(
            f"{url}api/v1/auth/token/",
            body={"email": "ada@demo.wellverse.test", "password": "Lakeside-Loop-42", "name": "t"},
        )["token"]
        deadline = time.monotonic() + 60
        while len(positions) < 2 or positions[-1] <= positions[0]:
            assert time.monotonic() < deadline, (positions, Path(log.name).read_text())
            avatars = _json(f"{url}api/v1/worlds/{world_id}/avatars/", token=token)["avatars"]
            positions += [a["d"] for a in avatars if a["name"] == "Ada"]
            time.sleep(1)
        output = Path(log.name).read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        returncode = process.wait(timeout=60)

    assert '<main id="main"' in page
    assert "DEBUG is on: seeding the demo accounts" in output
    assert "created demo user ada@demo.wellverse.test" in output
    assert (tmp_path / "var" / "wellverse.sqlite3").exists()
    assert positions[-1] > positions[0] >= 0
    # Ctrl-C stops everything it started: the server, the simulated athlete's bridge, coturn.
    assert returncode in (0, 130, -signal.SIGINT)  # make itself may die of the SIGINT
    assert _group_gone(process.pid, within_s=15), Path(log.name).read_text()
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_run_command_seeds_no_demo_accounts_when_debug_is_off(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(
        PORT=str(port),
        WELLVERSE_VAR_DIR=str(tmp_path / "var"),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
    )
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "Wellverse is running" not in Path(log.name).read_text():
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        output = Path(log.name).read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)

    assert "DEBUG is off: no demo accounts seeded" in output
    assert "demo user" not in output
    assert "== simulated athlete" not in output
    with sqlite3.connect(tmp_path / "var" / "wellverse.sqlite3") as db:
        assert db.execute(f"SELECT count(*) FROM {User._meta.db_table}").fetchone() == (0,)
