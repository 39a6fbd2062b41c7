"""Test infrastructure: a protocol-conforming live-ingest server and a TCP proxy that can be cut.

The server follows ``devices/README.md`` (start/started with the acked map, samples/ack stored once
per (workout, device, seq), finish/finished, close code 4401 for a bad token) and keeps what it
stored in memory so tests can check that every sample arrived exactly once. Both run on their own
event loop in a background thread, so a bridge in a subprocess or in the test's loop can use them.
The real server (``/ws/v1/ingest/``, built in the ingest issue) speaks the same protocol: the
bridge tests take the server from the ``ingest_server`` fixture so they can be pointed at it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve

T = TypeVar("T")


class LoopThread:
    """An asyncio loop in a daemon thread; ``call`` runs a coroutine on it and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@dataclass
class Workout:
    workout_id: int
    client_id: str
    sport: str
    batches: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    finished: bool = False


class IngestStub:
    def __init__(self, token: str) -> None:
        self.token = token
        self.workouts: dict[int, Workout] = {}
        self.connections = 0
        self.batches_received = 0  # including re-sent duplicates
        self.lock = threading.Lock()
        self.server: Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await serve(self._handle, "127.0.0.1", 0)
        self.port = next(iter(self.server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    # --- what tests read -------------------------------------------------------------------------
    def samples(self, workout_id: int, device: str) -> list[dict[str, Any]]:
        with self.lock:
            batches = self.workouts[workout_id].batches
            return [s for (d, seq), b in sorted(batches.items()) if d == device for s in b]

    def devices(self, workout_id: int) -> set[str]:
        with self.lock:
            return {d for d, _ in self.workouts[workout_id].batches}

    def sample_count(self) -> int:
        with self.lock:
            return sum(len(b) for w in self.workouts.values() for b in w.batches.values())

    # --- the protocol ----------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        if ws.request is None or ws.request.headers.get("Authorization") != f"Bearer {self.token}":
            await ws.close(4401, "unauthenticated")
            return
        async for raw in ws:
            message = json.loads(raw)
            reply = self._reply(message)
            await ws.send(json.dumps(reply))

    def _reply(self, message: dict[str, Any]) -> dict[str, Any]:
        kind = message.get("type")
        with self.lock:
            if kind == "start":
                workout = next(
                    (w for w in self.workouts.values() if w.client_id == message["client_id"]),
                    None,
                )
                if workout is None:
                    workout = Workout(
                        len(self.workouts) + 1, message["client_id"], message["sport"]
                    )
                    self.workouts[workout.workout_id] = workout
                acked: dict[str, int] = {}
                for device, seq in workout.batches:
                    acked[device] = max(acked.get(device, 0), seq)
                return {
                    "type": "started",
                    "workout_id": workout.workout_id,
                    "client_id": workout.client_id,
                    "acked": acked,
                }
            workout_or_none = self.workouts.get(message.get("workout_id", -1))
            if workout_or_none is None:
                return {"type": "error", "code": "not_found", "message": "No such workout."}
            if kind == "samples":
                self.batches_received += 1
                key = (message["device"], int(message["seq"]))
                if any(not 20 <= s.get("hr", 60) <= 250 for s in message["samples"]):
                    # As the real server refuses an impossible value: an error naming the batch.
                    return {
                        "type": "error",
                        "code": "validation_error",
                        "message": "Heart rate must be between 20 and 250 bpm.",
                        "device": key[0],
                        "seq": key[1],
                    }
                # Stored once whatever how often it is sent.
                workout_or_none.batches.setdefault(key, message["samples"])
                return {
                    "type": "ack",
                    "workout_id": workout_or_none.workout_id,
                    "device": key[0],
                    "seq": key[1],
                }
            if kind == "finish":
                workout_or_none.finished = True
                return {"type": "finished", "workout_id": workout_or_none.workout_id}
        return {"type": "error", "code": "invalid", "message": f"Unknown message type {kind!r}."}


class CuttableProxy:
    """Forwards TCP to a target; ``cut()`` kills every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.up = True
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.cut()
        if self.server is not None:
            self.server.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def cut(self) -> None:
        self.up = False
        for writer in list(self.writers):
            writer.transport.abort()  # a reset, as a dropped Wi-Fi link looks to the bridge
        self.writers.clear()

    async def restore(self) -> None:
        self.up = True

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    if not self.up:
                        break
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()
                self.writers.discard(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@dataclass
class IngestServer:
    """What a bridge test needs of a live-ingest server: where it is, a token, and a cable to cut."""

    thread: LoopThread
    stub: IngestStub
    proxy: CuttableProxy
    token: str

    @property
    def url(self) -> str:
        return self.proxy.url

    def cut(self) -> None:
        self.thread.call(self.proxy.cut())

    def restore(self) -> None:
        self.thread.call(self.proxy.restore())
