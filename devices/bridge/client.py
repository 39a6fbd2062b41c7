"""The streaming client of ``/ws/v1/ingest/`` (message format: ``devices/README.md``).

Samples are buffered per device for ``batch_seconds``, written to the journal as a numbered batch,
then sent. The connection loop reconnects with exponential backoff; after each (re)connect the
server's ``started`` reply says which batches it already stored, and everything else still in the
journal is sent again in order. Acknowledged batches leave the journal.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from devices.bridge.journal import Batch, Journal

logger = logging.getLogger(__name__)

# Close codes after which retrying cannot help (devices/README.md).
FATAL_CLOSE_CODES = {
    4401: "the server did not accept the token (unauthenticated)",
    4403: "the token may not stream samples, or health-data consent is missing",
    4410: "the token was revoked",
}


class BridgeError(Exception):
    """A problem the person running the bridge must fix (bad token, unreachable URL, ...)."""


@dataclass
class LinkStats:
    state: str = "connecting"
    sent: int = 0  # samples sent at least once
    acked: int = 0  # samples the server acknowledged
    errors: int = 0  # batches the server refused
    workout_id: int | None = None
    last_error: str = ""


def ingest_url(server: str) -> str:
    """``https://host`` or ``ws://host/ws/v1/ingest/`` -> the WebSocket URL of live ingest."""
    url = server.rstrip("/")
    for http, ws in (("https://", "wss://"), ("http://", "ws://")):
        if url.startswith(http):
            url = ws + url[len(http) :]
    if not url.startswith(("ws://", "wss://")):
        raise BridgeError(f"--server must be an http(s):// or ws(s):// URL, not {server!r}.")
    if not url.endswith("/ws/v1/ingest"):
        url += "/ws/v1/ingest"
    return url + "/"


class IngestClient:
    def __init__(
        self,
        *,
        server: str,
        token: str,
        journal: Journal,
        sport: str,
        indoor: bool,
        batch_seconds: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.url = ingest_url(server)
        self.token = token
        self.journal = journal
        self.session = journal.session_open(sport=sport, indoor=indoor, started_at=time.time())
        self.batch_seconds = batch_seconds
        self.max_backoff = max_backoff
        self.stats = LinkStats(workout_id=self.session.workout_id)
        self._buffer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # Unacknowledged batches per device, seq -> sample count, in seq order (for the counters).
        self._unacked: dict[str, dict[int, int]] = defaultdict(dict)
        self._went_online = False
        self._wake = asyncio.Event()
        self._all_acked = asyncio.Event()
        self._finished = asyncio.Event()
        self._online = asyncio.Event()
        self._stopping = False
        self._ws: Any = None
        self._sent_upto: dict[str, int] = {}  # per connection: what this socket already carried
        self._ever_sent: set[tuple[str, int]] = set()
        for batch in journal.pending():
            self._unacked[batch.device][batch.seq] = len(batch.samples)

    # --- producer side ---------------------------------------------------------------------------
    def add(self, device: str, sample: dict[str, Any]) -> None:
        """Queue one sample of ``device``; it is journalled at the next flush."""
        self._buffer[device].append(sample)

    def flush(self) -> list[Batch]:
        """Journal everything buffered as one batch per device, and wake the sender."""
        batches = []
        for device, samples in list(self._buffer.items()):
            if samples:
                batch = self.journal.append(device, samples)
                self._unacked[device][batch.seq] = len(samples)
                batches.append(batch)
        self._buffer.clear()
        if batches:
            self._all_acked.clear()
            self._wake.set()
        return batches

    # --- connection loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Stay connected (reconnecting with backoff) until :meth:`close`; raises BridgeError."""
        flusher = asyncio.create_task(self._flush_periodically())
        backoff = 0.25
        try:
            while not self._stopping or self.journal.pending_count():
                self._went_online = False
                try:
                    await self._connection()
                except BridgeError:
                    raise
                except (OSError, ConnectionClosed, TimeoutError, InvalidHandshake) as exc:
                    if self._went_online:
                        backoff = 0.25  # the link worked until now: retry promptly
                    self.stats.state = "offline"
                    self.stats.last_error = str(exc) or type(exc).__name__
                    logger.info("ingest link down (%s); retrying in %.1f s", exc, backoff)
                if self._finished.is_set():
                    return
                await asyncio.sleep(backoff * random.uniform(0.8, 1.2))  # noqa: S311 jitter, not a secret
                backoff = min(self.max_backoff, backoff * 2)
        finally:
            flusher.cancel()

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.batch_seconds)
            self.flush()

    async def _connection(self) -> None:
        self.stats.state = "connecting"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            ws = await websockets.connect(
                self.url,
                additional_headers=headers,
                open_timeout=10,
                ping_interval=5,
                ping_timeout=10,
                max_size=2**22,
            )
        except InvalidURI as exc:
            raise BridgeError(f"{self.url} is not a valid server URL ({exc}).") from exc
        except InvalidStatus as exc:
            status = exc.response.status_code
            # A refused token or a wrong URL: retrying will not fix either.
            if status in (401, 403):
                raise BridgeError(
                    f"The server refused the connection (HTTP {status}): check that the token is "
                    "an ingest token, not revoked, and that health-data consent is given."
                ) from exc
            if 400 <= status < 500:
                raise BridgeError(
                    f"There is no live-ingest endpoint at {self.url} (HTTP {status}); "
                    "check --server."
                ) from exc
            raise
        self._ws = ws
        try:
            await ws.send(
                json.dumps(
                    {
                        "type": "start",
                        "client_id": self.session.client_id,
                        "sport": self.session.sport,
                        "indoor": self.session.indoor,
                        "started_at": self.session.started_at,
                    }
                )
            )
            started = await self._receive_until(ws, "started")
            self.stats.workout_id = started["workout_id"]
            self.journal.session_started(workout_id=started["workout_id"])
            for device, seq in (started.get("acked") or {}).items():
                self._acknowledged(device, int(seq))
            self.stats.state = "online"
            self._went_online = True
            self._online.set()
            self._sent_upto = {}
            receiver = asyncio.create_task(self._receive(ws))
            try:
                await self._send_pending(ws, receiver)
            finally:
                receiver.cancel()
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            if code in FATAL_CLOSE_CODES:
                raise BridgeError(
                    f"The server closed the stream: {FATAL_CLOSE_CODES[code]} (close code {code})."
                ) from exc
            raise
        finally:
            self._ws = None
            self._online.clear()
            await ws.close()

    async def _receive_until(self, ws: Any, kind: str) -> dict[str, Any]:
        async with asyncio.timeout(15):
            while True:
                message = json.loads(await ws.recv())
                if message.get("type") == kind:
                    return dict(message)
                self._handle(message)

    async def _receive(self, ws: Any) -> None:
        async for raw in ws:
            self._handle(json.loads(raw))

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "ack":
            self._acknowledged(message["device"], int(message["seq"]))
        elif kind == "finished":
            self._finished.set()
        elif kind == "error":
            self.stats.errors += 1
            self.stats.last_error = f"{message.get('code')}: {message.get('message')}"
            logger.warning("server refused a message: %s", self.stats.last_error)
            if "device" in message and "seq" in message:
                # A refused batch is never acknowledged; re-sending it forever helps no one.
                device, seq = message["device"], int(message["seq"])
                self.journal.discard(device, seq)
                self._unacked[device].pop(seq, None)
                if not any(self._unacked.values()):
                    self._all_acked.set()

    def _acknowledged(self, device: str, seq: int) -> None:
        pending = self._unacked[device]
        # Batches are numbered in order, so the acknowledged ones are at the front: O(acked).
        while pending:
            first = next(iter(pending))
            if first > seq:
                break
            self.stats.acked += pending.pop(first)
        self.journal.acknowledge(device, seq)
        if not any(self._unacked.values()):
            self._all_acked.set()

    async def _send_pending(self, ws: Any, receiver: asyncio.Task[None]) -> None:
        """Send every journalled batch not yet sent on this connection, then wait for more."""
        while True:
            self._wake.clear()
            for batch in self.journal.pending():
                if batch.seq <= self._sent_upto.get(batch.device, 0):
                    continue
                await ws.send(
                    json.dumps(
                        {
                            "type": "samples",
                            "workout_id": self.stats.workout_id,
                            "device": batch.device,
                            "seq": batch.seq,
                            "samples": batch.samples,
                        },
                        separators=(",", ":"),
                    )
                )
                if batch.seq > self._sent_upto.get(batch.device, 0):
                    self._sent_upto[batch.device] = batch.seq
                if (batch.device, batch.seq) not in self._ever_sent:
                    self._ever_sent.add((batch.device, batch.seq))
                    self.stats.sent += len(batch.samples)
            if self._finished.is_set():
                return
            wake = asyncio.create_task(self._wake.wait())
            done, _ = await asyncio.wait({wake, receiver}, return_when=asyncio.FIRST_COMPLETED)
            wake.cancel()
            if receiver in done:
                receiver.result()  # re-raises ConnectionClosed
                raise ConnectionClosed(None, None)

    # --- shutdown --------------------------------------------------------------------------------
    async def close(self, *, finish: bool = True, timeout: float = 10.0) -> bool:
        """Flush, wait for every acknowledgement, then (if ``finish``) close the workout.

        Returns True when the server has everything; otherwise the journal keeps the rest for the
        next run, which resumes the same workout.
        """
        self._stopping = True
        self.flush()
        if any(self._unacked.values()):
            self._all_acked.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._all_acked.wait()
            except TimeoutError:
                return False
        if not finish:
            return True
        try:
            async with asyncio.timeout(timeout):
                await self._online.wait()
        except TimeoutError:
            return False
        ws = self._ws
        if ws is None or self.stats.workout_id is None:
            return False
        await ws.send(
            json.dumps(
                {"type": "finish", "workout_id": self.stats.workout_id, "ended_at": time.time()}
            )
        )
        try:
            async with asyncio.timeout(timeout):
                await self._finished.wait()
        except TimeoutError:
            return False
        self.journal.session_finished()
        self._wake.set()
        return True
