"""``python -m devices.bridge``: scan, stream, simulate, decode.

Exit codes: 0 done, 1 the run ended with samples still unacknowledged (they stay in the journal and
are sent by the next run), 2 bad input (arguments, a malformed frame, a refused token).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devices import gatt, simulator
from devices.profiles import PROFILES
from wellness.workouts.sports import SPORTS

STATE_DIR = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"), "wellverse")
DEFAULT_JOURNAL = STATE_DIR / "bridge-journal.sqlite3"
# A separate journal, so a simulation never resumes (or finishes) a real workout's session.
SIMULATE_JOURNAL = STATE_DIR / "simulate-journal.sqlite3"
# Linux/Windows report MAC addresses; macOS reports a per-machine UUID for each device.
ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")

SUPPORTED = "\n".join(f"  {p.characteristic_uuid[4:8].upper()}  {p.name}" for p in PROFILES)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _address(text: str) -> str:
    if not ADDRESS.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Bluetooth address (expected e.g. C4:7C:8D:6A:12:34; "
            "`scan` lists the addresses nearby)"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devices.bridge",
        description=(
            "The Wellverse bridge: streams Bluetooth heart-rate straps, foot pods, bike sensors, "
            "treadmills and smart bikes to your Wellverse server."
        ),
        epilog=(
            "examples:\n"
            "  python -m devices.bridge scan\n"
            "  python -m devices.bridge stream --server https://wellverse.example.org "
            "--token wv_... --device C4:7C:8D:6A:12:34\n"
            "  python -m devices.bridge simulate --profile run\n"
            "  python -m devices.bridge decode 2A37 16485401EC02\n\n"
            f"supported measurements:\n{SUPPORTED}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens in detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = commands.add_parser(
        "scan",
        help="list nearby fitness devices",
        description="Listen for advertising Bluetooth devices and list those offering a supported "
        "measurement: name, address (use it with `stream --device`), signal strength (RSSI) "
        "and services.",
    )
    scan.add_argument(
        "--timeout", type=_positive, default=10.0, metavar="SECONDS", help="how long to listen (10)"
    )
    scan.add_argument(
        "--all", action="store_true", help="also list devices with no fitness service"
    )

    stream = commands.add_parser(
        "stream",
        help="stream one or more devices to the server",
        description="Connect to the devices, stream their measurements to the server's live "
        "ingest and show a status line. Samples the server has not acknowledged are kept in a "
        "local journal and sent again after a network or device drop, or by the next run; "
        "Ctrl-C sends what is left, finishes the workout and exits.",
    )
    _server_arguments(stream, required=True)
    stream.add_argument(
        "--device",
        action="append",
        type=_address,
        metavar="ADDR",
        help="a device address from `scan`; repeat for several devices (e.g. a strap and a foot "
        "pod); without it, every fitness device found by a scan is streamed",
    )
    stream.add_argument(
        "--scan-timeout",
        type=_positive,
        default=10.0,
        metavar="SECONDS",
        help="how long to scan when no --device is given (10)",
    )
    stream.add_argument("--sport", choices=SPORTS, default="run", help="the workout's sport")
    stream.add_argument("--outdoor", action="store_true", help="the workout is outdoors")
    stream.add_argument(
        "--acquire-notify",
        action="store_true",
        help="subscribe with BlueZ AcquireNotify instead of StartNotify (fewer D-Bus messages)",
    )
    stream.add_argument(
        "--duration",
        type=_positive,
        metavar="SECONDS",
        help="stop by itself after this long, as Ctrl-C would",
    )

    simulate = commands.add_parser(
        "simulate",
        help="a synthetic athlete, printed or streamed to the server",
        description="Simulate an athlete whose sensors send real GATT frames, decoded by the same "
        "code as real devices. Without --server, prints one JSON sample per line.",
    )
    simulate.add_argument(
        "--profile", choices=simulator.SIMULATED_SPORTS, required=True, help="the sport"
    )
    _server_arguments(simulate, required=False, journal=SIMULATE_JOURNAL)
    simulate.add_argument(
        "--duration", type=_positive, default=600.0, metavar="SECONDS", help="workout length (600)"
    )
    simulate.add_argument(
        "--speed",
        type=_non_negative,
        default=1.0,
        metavar="FACTOR",
        help="time acceleration: 1 is real time, 10 ten times faster, 0 as fast as possible",
    )
    simulate.add_argument("--seed", type=int, default=0, help="random seed (0)")

    decode = commands.add_parser(
        "decode",
        help="decode one frame and print it as JSON",
        description="Decode one notification, e.g. copied from a Bluetooth debugging app. "
        "Exits with code 2 if the frame is malformed.",
        epilog=f"supported characteristics:\n{SUPPORTED}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    decode.add_argument("characteristic", metavar="CHARACTERISTIC", help="UUID, e.g. 2A37")
    decode.add_argument("hex", metavar="HEX", help="the frame in hexadecimal, e.g. 16485401EC02")
    return parser


def _server_arguments(
    parser: argparse.ArgumentParser, *, required: bool, journal: Path = DEFAULT_JOURNAL
) -> None:
    parser.add_argument(
        "--server",
        required=required,
        metavar="URL",
        help="your Wellverse server, e.g. https://wellverse.example.org",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("WELLVERSE_TOKEN"),
        metavar="TOKEN",
        help="an ingest token (create one at /api/v1/tokens/); default $WELLVERSE_TOKEN",
    )
    parser.add_argument(
        "--flush-timeout",
        type=_positive,
        default=15.0,
        metavar="SECONDS",
        help="at the end, how long to wait for the server to acknowledge everything (15)",
    )
    parser.add_argument(
        "--journal",
        type=Path,
        default=journal,
        metavar="PATH",
        help=f"the journal of unacknowledged samples (default {journal})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "server", None) and not args.token:
        parser.error("--token (or $WELLVERSE_TOKEN) is required with --server")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "decode":
        return _decode(args)
    from devices.bridge.client import BridgeError, ingest_url

    if getattr(args, "server", None):
        try:
            ingest_url(args.server)
        except BridgeError as exc:
            parser.error(str(exc))
    try:
        if args.command == "scan":
            return asyncio.run(_scan(args))
        if args.command == "stream":
            return asyncio.run(_stream(args))
        return asyncio.run(_simulate(args))
    except BridgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C during a scan: nothing to flush (stream and simulate handle SIGINT themselves).
        return 130


def _decode(args: argparse.Namespace) -> int:
    try:
        decoded = gatt.decode(args.characteristic, gatt.frame_from_hex(args.hex))
    except gatt.GattDecodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(decoded, indent=2))
    return 0


async def _scan(args: argparse.Namespace) -> int:
    from bleak.exc import BleakError

    from devices.bridge.sensors import scan

    try:
        found = await scan(timeout=args.timeout, everything=args.all)
    except (BleakError, OSError) as exc:
        print(f"error: Bluetooth is not available: {exc}", file=sys.stderr)
        return 1
    if not found:
        print(
            f"No fitness device found in {args.timeout:g} s. Is it awake and not paired elsewhere?"
        )
        return 0
    print(f"{'NAME':<24} {'ADDRESS':<20} {'RSSI':>5}  SERVICES")
    for device in found:
        services = ", ".join(device.services) or "-"
        print(f"{device.name:<24} {device.address:<20} {device.rssi:>5}  {services}")
    return 0


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def status_line(links: Sequence[Any], stats: Any) -> str:
    """One line: each device's link state and latest values, then the server link and counters."""
    parts = []
    for link in links:
        values = []
        latest = link.latest
        if "hr" in latest:
            values.append(f"HR {latest['hr']}")
        if "cadence" in latest:
            values.append(f"cad {latest['cadence']:g}")
        if "speed" in latest:
            values.append(f"{latest['speed']:.2f} m/s")
        if "power" in latest:
            values.append(f"{latest['power']} W")
        parts.append(f"{link.name or link.address} {link.state} {' '.join(values)}".rstrip())
    parts.append(f"server {stats.state}, sent {stats.sent}, acked {stats.acked}")
    return " | ".join(parts)


async def _show_status(links: Sequence[Any], stats: Any) -> None:
    tty = sys.stderr.isatty()
    while True:
        line = status_line(links, stats)
        if tty:
            sys.stderr.write("\r\x1b[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        await asyncio.sleep(1 if tty else 5)


async def _stream(args: argparse.Namespace) -> int:
    from devices.bridge.client import IngestClient
    from devices.bridge.journal import Journal
    from devices.bridge.sensors import SensorLink

    if not args.device:
        from bleak.exc import BleakError

        from devices.bridge.sensors import scan

        try:
            found = await scan(timeout=args.scan_timeout)
        except (BleakError, OSError) as exc:
            print(f"error: Bluetooth is not available: {exc}", file=sys.stderr)
            return 1
        if not found:
            print(
                f"No fitness device found in {args.scan_timeout:g} s; wake your sensors or "
                "name them with --device.",
                file=sys.stderr,
            )
            return 1
        args.device = [d.address for d in found]
        print("Streaming " + ", ".join(f"{d.name} ({d.address})" for d in found), file=sys.stderr)
    journal = Journal(args.journal)
    client = IngestClient(
        server=args.server,
        token=args.token,
        journal=journal,
        sport=args.sport,
        indoor=not args.outdoor,
    )
    links = [
        SensorLink(address, client.add, acquire_notify=args.acquire_notify)
        for address in dict.fromkeys(args.device)
    ]
    return await _run_session(
        client, journal, links, args.duration, sensors=links, flush_timeout=args.flush_timeout
    )


async def _run_session(
    client: Any,
    journal: Any,
    links: Sequence[Any],
    duration: float | None,
    *,
    sensors: Sequence[Any] = (),
    producer: Any = None,
    flush_timeout: float = 15.0,
) -> int:
    stop = _stop_event()
    uplink = asyncio.create_task(client.run())
    tasks = [asyncio.create_task(s.run()) for s in sensors]
    if producer is not None:
        tasks.append(asyncio.create_task(producer))
    status = asyncio.create_task(_show_status(links, client.stats))
    waiters = [asyncio.create_task(stop.wait()), uplink]
    if duration is not None:
        waiters.append(asyncio.create_task(asyncio.sleep(duration)))
    if producer is not None:
        waiters.append(tasks[-1])
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    closing = asyncio.create_task(client.close(finish=True, timeout=flush_timeout))
    await asyncio.wait({closing, uplink}, return_when=asyncio.FIRST_COMPLETED)
    if uplink.done() and not uplink.cancelled() and uplink.exception() is not None:
        # The server refused us for good (bad token, wrong URL): no point waiting for acks.
        closing.cancel()
        status.cancel()
        await asyncio.gather(closing, status, return_exceptions=True)
        journal.close()
        uplink.result()
    complete = await closing
    uplink.cancel()
    status.cancel()
    await asyncio.gather(uplink, status, return_exceptions=True)
    pending = journal.pending_count()
    journal.close()
    sys.stderr.write("\n" + status_line(links, client.stats) + "\n")
    if complete:
        print(f"Workout {client.stats.workout_id} finished: {client.stats.acked} samples stored.")
        return 0
    print(
        f"The server has not acknowledged everything yet; {pending} batch(es) stay in the journal "
        "and are sent by the next run.",
        file=sys.stderr,
    )
    return 1


class _SimulatedLink:
    """What the status line shows for a simulated sensor."""

    def __init__(self, device: str) -> None:
        self.address = device
        self.name = device
        self.state = "simulated"
        self.latest: dict[str, Any] = {}


async def _simulate(args: argparse.Namespace) -> int:
    from devices.profiles import PROFILES as registry

    # In real time the workout starts now; sped up, it is back-dated so that it ends now rather
    # than in the future (a server may rightly refuse samples from the future).
    start = time.time() if args.speed == 1 else time.time() - args.duration
    athlete = simulator.Athlete(sport=args.profile, seed=args.seed, start_t=start)
    by_uuid = {p.characteristic_uuid: p for p in registry}
    decoders = {d: {} for d in athlete.devices()}  # type: dict[str, dict[str, Any]]
    links = {d: _SimulatedLink(d) for d in athlete.devices()}

    def samples_of_step() -> list[tuple[str, dict[str, Any]]]:
        out = []
        for frame in athlete.step(1.0):
            profile = decoders[frame.device].setdefault(
                frame.characteristic, by_uuid[frame.characteristic]()
            )
            sample = profile.feed(frame.data, frame.t)  # the same decoding path as a real device
            if sample is not None:
                links[frame.device].latest.update(sample)
                out.append((frame.device, sample))
        return out

    steps = int(args.duration)
    if not args.server:
        for _ in range(steps):
            for device, sample in samples_of_step():
                print(json.dumps({"device": device, "sample": sample}), flush=True)
            if args.speed:
                await asyncio.sleep(1 / args.speed)
        return 0

    from devices.bridge.client import IngestClient
    from devices.bridge.journal import Journal

    journal = Journal(args.journal)
    client = IngestClient(
        server=args.server, token=args.token, journal=journal, sport=args.profile, indoor=True
    )

    async def produce() -> None:
        for _ in range(steps):
            for device, sample in samples_of_step():
                client.add(device, sample)
            await asyncio.sleep(1 / args.speed if args.speed else 0)

    return await _run_session(
        client,
        journal,
        list(links.values()),
        None,
        producer=produce(),
        flush_timeout=args.flush_timeout,
    )
