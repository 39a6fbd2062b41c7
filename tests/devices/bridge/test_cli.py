"""The bridge's command line: help, bad arguments (exit 2 with a sentence), decode, simulate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from devices.bridge.cli import main, status_line
from devices.bridge.client import LinkStats

ROOT = Path(__file__).resolve().parents[3]


def test_bridge_runs_as_a_module_without_django_settings() -> None:
    result = subprocess.run(
        [
            sys.executable, "-c",
            "import sys, devices.bridge.cli, devices.bridge.client, devices.bridge.sensors; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_help_lists_every_command_and_the_supported_measurements(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for text in ("scan", "stream", "simulate", "decode", "2A37", "2AD2", "examples:"):
        assert text in out


@pytest.mark.parametrize(
    ("command", "phrase"),
    [
        ("scan", "signal strength (RSSI)"),
        ("stream", "Ctrl-C sends what is left"),
        ("simulate", "same code as real devices"),
        ("decode", "Exits with code 2 if the frame is malformed"),
    ],
)
def test_each_command_has_its_own_help(
    command: str, phrase: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])

    assert exit_info.value.code == 0
    assert phrase in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["scan", "--timeout", "-1"], "'-1' must be more than 0"),
        (["scan", "--timeout", "soon"], "'soon' is not a number of seconds"),
        (["stream", "--token", "t", "--device", "AA:BB:CC:DD:EE:01"], "required: --server"),
        (
            ["stream", "--server", "http://x", "--token", "t", "--device", "strap"],
            "'strap' is not a Bluetooth address",
        ),
        (["stream", "--server", "http://x", "--token", "t", "--scan-timeout", "0"], "'0' must be"),
        (["simulate", "--profile", "swim"], "invalid choice: 'swim'"),
        (["simulate", "--profile", "run", "--server", "http://x"], "--token (or $WELLVERSE_TOKEN)"),
        (
            ["simulate", "--profile", "run", "--server", "ftp://x", "--token", "t"],
            "--server must be an http(s):// or ws(s):// URL",
        ),
        (["simulate", "--profile", "run", "--speed", "-2"], "'-2' must not be negative"),
        (["decode", "2A37"], "required: HEX"),
    ],
)
def test_bad_arguments_exit_2_with_a_sentence(
    argv: list[str],
    sentence: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WELLVERSE_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 2
    assert sentence in capsys.readouterr().err


def test_decode_prints_the_frame_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["decode", "2A37", "16485401EC02"])

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "hr": 72,
        "sensor_contact": True,
        "rr": [332.03125, 730.46875],
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decode", "2AD2", "440018"], "Indoor Bike Data frame is truncated"),
        (["decode", "2A37", "zz"], "is not a frame in hexadecimal"),
        (["decode", "2A19", "50"], "is not a supported measurement"),
    ],
)
def test_decode_of_a_malformed_frame_exits_2_with_a_sentence(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert message in captured.err


def test_simulate_without_a_server_prints_decoded_samples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["simulate", "--profile", "ride", "--duration", "30", "--speed", "0", "--seed", "1"]
    )

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    devices = {line["device"] for line in lines}
    assert code == 0
    assert devices == {"sim-hr-strap", "sim-power-meter", "sim-speed-sensor"}
    power = [line["sample"]["power"] for line in lines if line["device"] == "sim-power-meter"]
    assert all(50 <= p <= 400 for p in power)
    speeds = [line["sample"].get("speed") for line in lines if line["device"] == "sim-speed-sensor"]
    assert all(s is None or 3 < s < 15 for s in speeds)


def test_status_line_shows_each_device_and_the_server_link() -> None:
    strap = SimpleNamespace(name="HRM-Pro", address="C4:7C:8D:6A:00:01", state="connected",
                            latest={"t": 1.0, "hr": 142})  # fmt: skip
    pod = SimpleNamespace(name="", address="C4:7C:8D:6A:00:02", state="reconnecting",
                          latest={"t": 1.0, "cadence": 172, "speed": 3.2})  # fmt: skip
    stats = LinkStats(state="online", sent=120, acked=118)

    line = status_line([strap, pod], stats)

    assert line == (
        "HRM-Pro connected HR 142 | C4:7C:8D:6A:00:02 reconnecting cad 172 3.20 m/s"
        " | server online, sent 120, acked 118"
    )


def test_scan_without_bluetooth_says_so_and_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devices.bridge", "scan", "--timeout", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"},
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: Bluetooth is not available: ")
