"""`make run` on a fresh checkout: installs, migrates, seeds, serves, prints the URL; Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_run_command_serves_the_app_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(PORT=str(port), WELLVERSE_VAR_DIR=str(tmp_path / "var"), WELLVERSE_NO_SIMULATOR="1")
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while f"Wellverse is running: open {url}" not in Path(log.name).read_text():
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        with urllib.request.urlopen(url, timeout=5) as response:
            page = response.read().decode()
        output = Path(log.name).read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        returncode = process.wait(timeout=30)

    assert '<main id="main"' in page
    assert "created demo user ada@demo.wellverse.test" in output
    assert (tmp_path / "var" / "wellverse.sqlite3").exists()
    assert returncode in (0, 130, -signal.SIGINT)  # make itself may die of the SIGINT
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
