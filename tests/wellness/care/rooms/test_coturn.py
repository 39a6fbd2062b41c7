"""The TURN credentials the server makes are the ones coturn accepts (issue 21, real components):
coturn started as `make run` starts it (scripts/turn.sh, use-auth-secret) allocates a relay for a
person's credentials from ``room_ice_servers`` and relays through it, and refuses an expired one
or one made with another secret."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from tests.factories import UserFactory
from tests.servers import free_port
from wellness.care.rooms.ice import turn_credentials
from wellness.care.rooms.selectors import room_ice_servers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("turnserver") is None or shutil.which("turnutils_uclient") is None,
        reason="coturn is not installed (Debian package coturn; .ci/run installs it)",
    ),
]

ROOT = Path(__file__).resolve().parents[4]
SECRET = "a-shared-turn-secret"


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    log = (tmp_path / "turnserver.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/turn.sh"],
        cwd=ROOT,
        env={**os.environ, "WELLVERSE_TURN_SECRET": SECRET, "TURN_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"coturn did not listen; see {tmp_path / 'turnserver.log'}")
    yield port
    process.terminate()
    process.wait(timeout=10)


def _relayed(port: int, username: str, password: str) -> subprocess.CompletedProcess[str]:
    """A TURN client allocating a relay and sending itself 5 messages through it."""
    return subprocess.run(
        ["turnutils_uclient", "-y", "-n", "5", "-m", "1", "-l", "100",
         "-u", username, "-w", password, "-p", str(port), "127.0.0.1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_coturn_relays_for_the_credentials_the_server_hands_a_person(
    coturn: int, settings: Settings
) -> None:
    settings.WELLVERSE_TURN_URLS = [f"turn:127.0.0.1:{coturn}"]
    settings.WELLVERSE_TURN_SECRET = SECRET
    [turn] = room_ice_servers(user=UserFactory.create())

    relayed = _relayed(coturn, turn["username"], turn["credential"])

    assert relayed.returncode == 0, relayed.stdout + relayed.stderr
    assert "Total lost packets 0" in relayed.stdout


def test_coturn_refuses_an_expired_credential_and_one_of_another_secret(coturn: int) -> None:
    expired = turn_credentials(secret=SECRET, user="7", now=time.time() - 3600, ttl_seconds=60)
    forged = turn_credentials(secret="another", user="7", now=time.time(), ttl_seconds=600)

    for username, password in (expired, forged):
        refused = _relayed(coturn, username, password)
        assert refused.returncode != 0
        assert "Cannot complete Allocation" in refused.stdout + refused.stderr
