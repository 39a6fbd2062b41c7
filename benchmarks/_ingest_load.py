"""Load generator for the live ingest benchmark: athletes streaming one batch per second each.

``python -m benchmarks._ingest_load URL TOKENS_JSON --seconds S`` where ``TOKENS_JSON`` is a file
holding ``[[token, workout_id], ...]``. Runs in its own process (so the load does not share the
server's event loop), bounded in connections and time, and prints one JSON summary line:
``{"athletes", "sent", "acked", "errors", "failed", "p50_ms", "p99_ms", "max_ms", "steady_p99_ms"}``
(``steady_p99_ms`` leaves out each athlete's first batches, sent during the connection storm).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import time
from typing import Any

import uvloop
import websockets

MAX_ATHLETES = 5_000
MAX_SECONDS = 300
# The first batches of every athlete meet the connection storm (token and consent look-ups of all
# sockets at once); latencies after them are reported separately as the steady state.
WARM_UP_BATCHES = 3
T0 = 1_764_000_000.0
T_START = time.monotonic()
# Ack latencies by the second of the run they were sent in (where a slow start ends).
by_second: dict[int, list[float]] = {}


async def athlete(
    url: str,
    token: str,
    workout_id: int,
    seconds: float,
    latencies: list[float],
    steady: list[float],
    counts: dict[str, int],
) -> None:
    await asyncio.sleep(random.random())  # spread the athletes over the second, as in real life
    try:
        async with websockets.connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=60,
            compression=None,  # one-sample frames gain nothing from deflate; both ends save CPU
        ) as ws:
            start = time.monotonic()
            seq = 0
            while time.monotonic() - start < seconds:
                seq += 1
                tick = time.monotonic()
                message = {
                    "type": "samples", "workout_id": workout_id, "device": "strap", "seq": seq,
                    "samples": [{"t": T0 + seq, "hr": 120 + seq % 40, "rr": [500.0],
                                 "speed": 3.1, "cadence": 170, "distance": 3.1 * seq}],
                }  # fmt: skip
                await ws.send(json.dumps(message))
                counts["sent"] += 1
                reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if reply.get("type") == "ack":
                    counts["acked"] += 1
                    latencies.append(time.monotonic() - tick)
                    by_second.setdefault(int(tick - T_START), []).append(time.monotonic() - tick)
                    if seq > WARM_UP_BATCHES:
                        steady.append(time.monotonic() - tick)
                else:
                    counts["errors"] += 1
                await asyncio.sleep(max(0.0, seq - (time.monotonic() - start)))
    except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
        counts["failed"] += 1


async def main_async(url: str, pairs: list[list[Any]], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    steady: list[float] = []
    counts = {"sent": 0, "acked": 0, "errors": 0, "failed": 0}
    await asyncio.gather(
        *(athlete(url, token, wid, seconds, latencies, steady, counts) for token, wid in pairs)
    )
    latencies.sort()
    steady.sort()

    def pct(p: float, values: list[float] = latencies) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else -1

    return {
        "athletes": len(pairs), **counts,
        "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
        "steady_p99_ms": pct(0.99, steady),
        "p99_ms_by_second": [round(pct(0.99, sorted(by_second[s])), 1) for s in sorted(by_second)],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("tokens_json")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with open(args.tokens_json) as f:
        pairs = json.load(f)[:MAX_ATHLETES]
    # uvloop, as the server runs: the load shares the two cores with it and should cost little.
    # No cyclic garbage collection in this short, bounded process: its pauses would count as ack latency.
    gc.disable()
    summary = uvloop.run(main_async(args.url, pairs, min(args.seconds, MAX_SECONDS)))
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
