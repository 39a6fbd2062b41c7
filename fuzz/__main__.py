"""Coverage-guided fuzzing (atheris, libFuzzer) of the code that reads bytes from outside.

``python -m fuzz gatt --seconds 10`` and ``python -m fuzz activity --seconds 20`` (CI, in
``scripts/test.sh``); run longer by hand with a larger ``--seconds`` (README, *Security*). Each
input may only be decoded or refused with the documented error (``GattDecodeError``,
``ActivityFileInvalid``); any other exception stops the run, prints the input's traceback and
keeps the input as ``var/fuzz/crash-*`` to reproduce (``python -m fuzz activity var/fuzz/crash-...``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import atheris
import numpy as np

ROOT = Path(__file__).resolve().parent.parent

# Only the decoders and the format libraries they call: instrumenting pandas too takes minutes.
with atheris.instrument_imports(include=["devices", "fitdecode", "gpxpy", "tcxreader"]):
    from devices import gatt
    from devices.activity_files import SAMPLE_KEYS, ActivityFileInvalid
    from devices.activity_files.fit import export_fit, parse_fit
    from devices.activity_files.gpx import export_gpx, parse_gpx
    from devices.activity_files.tcx import parse_tcx

CHARACTERISTICS = list(gatt.DECODERS)
PARSERS = [parse_fit, parse_gpx, parse_tcx]  # the first byte of an input picks one


def gatt_one(data: bytes) -> None:
    if not data:
        return
    with contextlib.suppress(gatt.GattDecodeError):
        gatt.decode(CHARACTERISTICS[data[0] % len(CHARACTERISTICS)], data[1:])


def activity_one(data: bytes) -> None:
    if not data:
        return
    with contextlib.suppress(ActivityFileInvalid):
        PARSERS[data[0] % len(PARSERS)](data[1:], "fuzzed")


def gatt_seeds() -> list[bytes]:
    vectors = json.loads((ROOT / "devices/testdata/gatt_vectors.json").read_text())["vectors"]
    seeds = []
    for vector in vectors:
        try:
            uuid, frame = gatt.full_uuid(vector["characteristic"]), bytes.fromhex(vector["hex"])
        except (gatt.GattDecodeError, ValueError):
            continue
        seeds.append(bytes([CHARACTERISTICS.index(uuid)]) + frame)
    return seeds


TCX_SEED = b"""<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Biking"><Id>2026-01-01T07:00:00Z</Id>
<Lap StartTime="2026-01-01T07:00:00Z"><Track>
<Trackpoint><Time>2026-01-01T07:00:00Z</Time><HeartRateBpm><Value>120</Value></HeartRateBpm>
<Cadence>80</Cadence><DistanceMeters>0</DistanceMeters></Trackpoint>
<Trackpoint><Time>2026-01-01T07:00:01Z</Time><HeartRateBpm><Value>121</Value></HeartRateBpm>
<Cadence>81</Cadence><DistanceMeters>5</DistanceMeters></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"""


def activity_seeds() -> list[bytes]:
    n = 20
    columns = {key: np.full(n, np.nan) for key in SAMPLE_KEYS} | {
        "t": 1_767_250_800.0 + np.arange(n, dtype=float),
        "hr": np.linspace(100, 140, n),
        "speed": np.full(n, 3.0),
        "distance": np.arange(n) * 3.0,
        "lat": 46.0 + np.arange(n) * 1e-5,
        "lon": np.full(n, 14.5),
        "altitude": np.full(n, 300.0),
    }
    start = datetime(2026, 1, 1, 7, tzinfo=UTC)
    return [
        bytes([0]) + export_fit(columns, sport="run", started_at=start),
        bytes([1]) + export_gpx(columns, sport="run", started_at=start),
        bytes([2]) + TCX_SEED,
    ]


TARGETS: dict[str, tuple[Callable[[bytes], None], Callable[[], list[bytes]], int]] = {
    # name: (one input, seeds, largest input in bytes)
    "gatt": (gatt_one, gatt_seeds, 64),
    "activity": (activity_one, activity_seeds, 64 * 1024),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("inputs", nargs="*", help="replay these inputs instead of fuzzing")
    parser.add_argument("--seconds", type=int, default=10, help="how long to fuzz")
    args = parser.parse_args()
    one, seeds, max_len = TARGETS[args.target]
    if args.inputs:
        for path in args.inputs:
            one(Path(path).read_bytes())
        print(f"{len(args.inputs)} input(s) decoded or refused with the documented error")
        return
    artifacts = ROOT / "var" / "fuzz"
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{args.target}-") as corpus:
        for i, seed in enumerate(seeds()):
            (Path(corpus) / f"seed-{i}").write_bytes(seed)
        atheris.Setup(
            [
                sys.argv[0],
                f"-max_total_time={args.seconds}",
                f"-max_len={max_len}",
                f"-artifact_prefix={artifacts}/",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
                corpus,
            ],
            one,
        )
        atheris.Fuzz()


if __name__ == "__main__":
    main()
