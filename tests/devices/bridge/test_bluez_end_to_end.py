"""The real bleak path: the unmodified bridge, real bleak, a private dbus-daemon, a BlueZ stand-in.

Nothing here replaces bleak: the bridge runs as its own process with ``DBUS_SYSTEM_BUS_ADDRESS``
pointing at a private ``dbus-daemon``, on which the stand-in of ``bluez_standin.py`` plays
bluetoothd with two fitness devices (a heart-rate strap and a foot pod) and one speaker with no
fitness service.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devices import gatt, profiles, simulator
from tests.devices.bridge.bluez_standin import BlueZStandIn, Characteristic, DeviceSpec, Service
from tests.devices.bridge.ingest_stub import IngestServer, LoopThread

ROOT = Path(__file__).resolve().parents[3]
STRAP = "C4:7C:8D:6A:00:01"
POD = "C4:7C:8D:6A:00:02"
SPEAKER = "C4:7C:8D:6A:00:03"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def system_bus(tmp_path: Path) -> Iterator[str]:
    """A private dbus-daemon; its address is what bleak reads from DBUS_SYSTEM_BUS_ADDRESS."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("needs dbus-daemon (.ci/run installs it with apt)")
    socket_path = tmp_path / "system_bus_socket"
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=socket_path))
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--nopidfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"dbus-daemon did not start: {process.stderr!r}")
        time.sleep(0.02)
    yield f"unix:path={socket_path}"
    process.terminate()
    process.wait(10)


BROKEN_FRAME = bytes.fromhex("104854")  # a heart-rate frame whose RR interval is cut in half


def _player(device: str, seed: int, *, broken_every: int = 0) -> Callable[[], bytes]:
    """Frames of one simulated sensor, one per call (the simulator's seconds, sped up).

    With ``broken_every``, every n-th frame is malformed, as a flaky sensor sends now and then.
    """
    athlete = simulator.Athlete(sport="run", seed=seed, dropout_probability=0.0)
    pending: list[bytes] = []
    count = 0

    def next_frame() -> bytes:
        nonlocal count
        count += 1
        if broken_every and count % broken_every == 0:
            return BROKEN_FRAME
        while not pending:
            pending.extend(f.data for f in athlete.step(1.0) if f.device == device)
        return pending.pop(0)

    return next_frame


def _specs() -> list[DeviceSpec]:
    battery = Service(
        "0000180f-0000-1000-8000-00805f9b34fb",
        [Characteristic("00002a19-0000-1000-8000-00805f9b34fb")],
    )
    return [
        DeviceSpec(
            STRAP,
            "Wellverse HRM",
            [
                Service(
                    profiles.HeartRate.service_uuid,
                    [
                        Characteristic(
                            gatt.HEART_RATE_MEASUREMENT,
                            _player(simulator.HR_STRAP, 1, broken_every=15),
                        )
                    ],
                ),
                battery,
            ],
            rssi=-52,
        ),
        DeviceSpec(
            POD,
            "Wellverse Stride",
            [
                Service(
                    profiles.RunningSpeedCadence.service_uuid,
                    [Characteristic(gatt.RSC_MEASUREMENT, _player(simulator.FOOT_POD, 2))],
                )
            ],
            rssi=-67,
        ),
        DeviceSpec(SPEAKER, "Kitchen speaker", [battery], rssi=-80),
    ]


@dataclass
class BlueZ:
    thread: LoopThread
    standin: BlueZStandIn
    env: dict[str, str]

    def delivered(self, address: str) -> list[bytes]:
        device = self.standin.devices[address]
        return [f for s in device.spec.services for c in s.characteristics for f in c.delivered]


@pytest.fixture
def bluez(system_bus: str) -> Iterator[BlueZ]:
    thread = LoopThread()
    standin = BlueZStandIn(system_bus, _specs())
    thread.call(standin.start())
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": system_bus, "PYTHONUNBUFFERED": "1"}
    yield BlueZ(thread, standin, env)
    thread.call(standin.stop())
    thread.stop()


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _decoded(profile_class: type[profiles.DeviceProfile], frames: list[bytes]) -> list[Any]:
    """What the frames decode to, leaving out the malformed ones (the bridge skips them)."""
    profile = profile_class()
    return [profile.values(gatt.decode(profile.characteristic_uuid, f)) for f in frames
            if f != BROKEN_FRAME]  # fmt: skip


def _without_t(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items() if k != "t"} for s in samples]


def test_scan_lists_nearby_fitness_devices_with_their_services(bluez: BlueZ) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devices.bridge", "scan", "--timeout", "1.5"],
        cwd=ROOT, env=bluez.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].split() == ["NAME", "ADDRESS", "RSSI", "SERVICES"]
    assert lines[1].split() == ["Wellverse", "HRM", STRAP, "-52", "heart", "rate"]
    assert lines[2].split()[:4] == ["Wellverse", "Stride", POD, "-67"]
    assert lines[2].endswith("running speed and cadence (foot pod)")
    assert len(lines) == 3
    assert "StartDiscovery" in bluez.standin.calls
    assert "StopDiscovery" in bluez.standin.calls


def test_scan_all_also_lists_devices_without_a_fitness_service(bluez: BlueZ) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devices.bridge", "scan", "--timeout", "1.5", "--all"],
        cwd=ROOT, env=bluez.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"Kitchen speaker          {SPEAKER}      -80  -" in result.stdout.splitlines()


@pytest.mark.parametrize("subscription", ["StartNotify", "AcquireNotify"])
def test_two_devices_stream_through_real_bleak_and_a_dropped_device_loses_nothing(
    bluez: BlueZ, ingest_server: IngestServer, tmp_path: Path, subscription: str
) -> None:
    extra = ["--acquire-notify"] if subscription == "AcquireNotify" else []
    process = subprocess.Popen(
        [
            sys.executable, "-m", "devices.bridge", "stream",
            "--server", ingest_server.url, "--token", ingest_server.token,
            "--device", STRAP, "--device", POD, "--sport", "run",
            "--journal", str(tmp_path / "journal.sqlite3"), *extra,
        ],
        cwd=ROOT, env=bluez.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stub = ingest_server.stub
    try:
        _wait_for(
            lambda: 1 in stub.workouts and stub.devices(1) == {STRAP, POD}, 30, "both devices"
        )
        _wait_for(lambda: len(bluez.delivered(POD)) >= 20, 10, "the pod to stream")

        # The foot pod goes out of range mid-stream and comes back a moment later.
        bluez.thread.call(bluez.standin.walk_away(POD, 1.0))
        _wait_for(lambda: bluez.standin.connections(POD) == 2, 30, "the pod to reconnect")
        frames_before = len(bluez.delivered(POD))
        _wait_for(lambda: len(bluez.delivered(POD)) >= frames_before + 20, 10, "new pod frames")

        bluez.thread.call(bluez.standin.pause())
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)  # Ctrl-C: flush, finish, exit cleanly
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, stderr
    assert "Workout 1 finished" in stdout
    assert stub.workouts[1].finished is True
    strap = stub.samples(1, STRAP)
    pod = stub.samples(1, POD)
    assert _without_t(strap) == _decoded(profiles.HeartRate, bluez.delivered(STRAP))
    assert _without_t(pod) == _decoded(profiles.RunningSpeedCadence, bluez.delivered(POD))
    assert len(pod) >= 40
    assert bluez.delivered(STRAP).count(BROKEN_FRAME) >= 2  # skipped, and the strap kept streaming
    assert len(strap) == len(bluez.delivered(STRAP)) - bluez.delivered(STRAP).count(BROKEN_FRAME)
    assert bluez.standin.connections(STRAP) == 1
    assert bluez.standin.connections(POD) == 2
    subscriptions = [c for c in bluez.standin.calls if c.split()[0].endswith("Notify")]
    assert {c.split()[0] for c in subscriptions} == {subscription}
    assert {c.split()[1] for c in subscriptions} == {
        gatt.HEART_RATE_MEASUREMENT,
        gatt.RSC_MEASUREMENT,
    }
    assert f"Disconnect {STRAP}" in bluez.standin.calls


def test_stream_without_devices_streams_every_fitness_device_a_scan_finds(
    bluez: BlueZ, ingest_server: IngestServer, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "devices.bridge", "stream",
            "--server", ingest_server.url, "--token", ingest_server.token,
            "--scan-timeout", "1.5", "--duration", "2",
            "--journal", str(tmp_path / "journal.sqlite3"),
        ],
        cwd=ROOT, env=bluez.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"Streaming Wellverse HRM ({STRAP}), Wellverse Stride ({POD})" in result.stderr
    assert ingest_server.stub.devices(1) == {STRAP, POD}
    assert ingest_server.stub.workouts[1].finished is True
    assert f"Connect {SPEAKER}" not in bluez.standin.calls
