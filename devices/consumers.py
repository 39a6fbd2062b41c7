"""``/ws/v1/ingest/``: live samples from the bridge and the phone companion (``devices/README.md``).

Transport only: decode, call one service per message, reply, and publish fresh values to the
workout's spectators. The database is the record; the channel layer is for live display.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from devices import ingest_writer
from devices.live_publish import live_publisher
from wellness.core.coalesce import Coalescer, lookup_sync_to_async
from wellness.core.errors import DomainError, ValidationFailed
from wellness.core.groups import user_group, workout_group
from wellness.core.ratelimit import TokenBucket
from wellness.people.consumers import AuthenticatedConsumer
from wellness.people.models import TokenScope
from wellness.people.selectors import health_consent_active_many
from wellness.people.websocket import CLOSE_FORBIDDEN, CLOSE_TOKEN_REVOKED
from wellness.scoring.levels import LiveEffort
from wellness.scoring.live import live_level_event, workout_live_efforts
from wellness.workouts.models import WorkoutSource
from wellness.workouts.selectors import workout_acked_seqs
from wellness.workouts.services import (
    PendingBatch,
    batch_address_validate,
    samples_pack,
    workout_finish,
    workout_start,
)

# Look-ups of many sockets at once share one query each (see wellness/coalesce.py).
_consent: Coalescer[int, bool] = Coalescer(lookup_sync_to_async(health_consent_active_many), False)
_workout_live_efforts = lookup_sync_to_async(workout_live_efforts)


async def _fetch_efforts(
    pairs: list[tuple[int, int]],
) -> dict[tuple[int, int], LiveEffort | None]:
    return await _workout_live_efforts(pairs=pairs)


_live_efforts: Coalescer[tuple[int, int], LiveEffort | None] = Coalescer(_fetch_efforts, None)

# Spectators need the newest values, not a replayed journal: at most this many samples per batch.
LIVE_SAMPLES_PUBLISHED = 10


def _int(content: dict[str, Any], key: str) -> int:
    value = content.get(key)
    if type(value) is not int:
        raise ValidationFailed(f"{key} must be an integer.", fields={key: ["An integer."]})
    return value


def _time(content: dict[str, Any], key: str, *, required: bool) -> dt.datetime | None:
    value = content.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        value = -1.0
    if not 946_684_800 <= value <= 4_102_444_800:
        raise ValidationFailed(
            f"{key} must be UNIX seconds (UTC).", fields={key: ["UNIX seconds (UTC)."]}
        )
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _decode(text_data: str | None) -> Any:
    """The message as ``json.loads`` reads it (None if it is not JSON), mostly through orjson.

    orjson refuses what ``json.loads`` accepts beyond RFC 8259 (``NaN``, integers past 64 bits);
    those go to ``json.loads``, so every message is read, and refused, as before."""
    if text_data is None:
        return None
    try:
        return orjson.loads(text_data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text_data)
        except ValueError:
            return None


_revocations: set[asyncio.Future[None]] = set()


class IngestConsumer(AuthenticatedConsumer):
    """One socket of a bridge or companion.

    It has no channel-layer channel of its own: nothing is sent to an ingest socket through the
    channel layer (its token's revocation comes from the process's revocation watch), and a
    channel costs a Redis subscription per socket plus a second task and an ``asyncio.wait`` per
    received message in Channels' consumer loop.
    """

    token_scopes = (TokenScope.INGEST, TokenScope.API)
    follows_session = False  # no channel to join a group with; it only writes the person's samples

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    def token_revocation_notice(self) -> None:
        """Close now, even while a message is being handled: its reply is then not sent."""
        task = asyncio.ensure_future(self.token_revoked({"type": "token.revoked"}))
        _revocations.add(task)  # keep a reference until it is done
        task.add_done_callback(_revocations.discard)

    async def token_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TOKEN_REVOKED)

    async def _reply(self, content: dict[str, Any]) -> None:
        if not self.closed:
            await self.base_send({"type": "websocket.send", "text": json.dumps(content)})

    async def _ack(self, workout_id: int, device: str, seq: int) -> None:
        """The hot path's reply, of validated values only, so orjson encodes it (compact)."""
        if not self.closed:
            ack = {"type": "ack", "workout_id": workout_id, "device": device, "seq": seq}
            await self.base_send({"type": "websocket.send", "text": orjson.dumps(ack).decode()})

    async def joined(self) -> bool:
        user = self.scope["user"]
        if not await _consent.get(user.pk):
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        self.live_effort: dict[int, LiveEffort | None] = {}
        return True

    def message_bucket(self) -> TokenBucket:
        return TokenBucket(
            settings.WELLVERSE_INGEST_MESSAGES_PER_SECOND, settings.WELLVERSE_INGEST_MESSAGE_BURST
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its ``aclose_old_connections()`` before every message.

        That call is a hop to the one thread-sensitive sync thread, which also runs the group
        commit: under load every received batch queued behind the writer's statement before it
        was even decoded. This consumer touches the ORM only through ``database_sync_to_async``,
        which closes stale connections itself, before and after each call.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not await self.admitted():
            return
        content = _decode(text_data)
        if not isinstance(content, dict):
            await self._error("malformed", "Send each message as a JSON object text frame.")
            return
        handler = {
            "start": self._start,
            "samples": self._samples,
            "finish": self._finish,
        }.get(content.get("type"))  # type: ignore[arg-type]
        if handler is None:
            await self._error("unknown_type", "type must be one of start, samples, finish.")
            return
        try:
            await handler(content)
        except DomainError as exc:
            # An error about a batch names it (device and seq), so the bridge can drop it.
            batch = content.get("type") == "samples"
            seq = content.get("seq") if batch else None
            device = content.get("device") if batch else None
            await self._error(exc.code, exc.message, seq=seq, device=device, fields=exc.fields)

    async def _error(
        self,
        code: str,
        message: str,
        *,
        seq: Any = None,
        device: Any = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        reply: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if seq is not None:
            reply["seq"] = seq
        if device is not None:
            reply["device"] = device
        if fields:
            reply["fields"] = fields
        await self._reply(reply)

    async def _start(self, content: dict[str, Any]) -> None:
        started_at = _time(content, "started_at", required=True)
        assert started_at is not None
        client_id = content.get("client_id", "")
        if not isinstance(client_id, str):
            raise ValidationFailed("client_id must be a string.", fields={"client_id": ["Text."]})
        workout, acked = await database_sync_to_async(self._start_sync)(
            sport=content.get("sport"),
            indoor=content.get("indoor") is True,
            started_at=started_at,
            client_id=client_id,
        )
        await self._reply(
            {"type": "started", "workout_id": workout, "client_id": client_id, "acked": acked}
        )

    def _start_sync(self, **fields: Any) -> tuple[int, dict[str, int]]:
        workout = workout_start(user=self.scope["user"], source=WorkoutSource.BRIDGE, **fields)
        return workout.pk, workout_acked_seqs(workout=workout)

    async def _samples(self, content: dict[str, Any]) -> None:
        workout_id = _int(content, "workout_id")
        user = self.scope["user"]
        device, seq = batch_address_validate(device=content.get("device"), seq=content.get("seq"))
        packed = samples_pack(samples=content.get("samples"))
        created = await ingest_writer.batch_store(
            PendingBatch(user.pk, workout_id, device, seq, packed)
        )
        await self._ack(workout_id, device, seq)
        if created:
            # Queued, not awaited: one flush per loop turn sends the batches of all sockets.
            live_publisher(self.channel_layer).publish(
                workout_group(workout_id),
                {
                    "type": "workout.samples",
                    "workout_id": workout_id,
                    "user_id": user.pk,
                    "samples": content["samples"][-LIVE_SAMPLES_PUBLISHED:],
                },
            )
            await self._live_progress(user.pk, workout_id, content["samples"])

    async def _live_progress(self, user_id: int, workout_id: int, samples: list[Any]) -> None:
        """Levels rise during a workout: count its points live and announce a new level."""
        if workout_id not in self.live_effort:
            self.live_effort[workout_id] = await _live_efforts.get((user_id, workout_id))
        effort = self.live_effort[workout_id]
        if effort is None:
            return
        progress = effort.feed(samples)
        if progress.levelled_up:
            # The batch is committed already (the writer's group commit), so send now.
            await self.channel_layer.group_send(
                user_group(user_id),
                live_level_event(workout_id=workout_id, progress=progress),
            )

    async def _finish(self, content: dict[str, Any]) -> None:
        workout_id = _int(content, "workout_id")
        await database_sync_to_async(workout_finish)(
            workout_id=workout_id,
            user=self.scope["user"],
            ended_at=_time(content, "ended_at", required=False),
        )
        await self._reply({"type": "finished", "workout_id": workout_id})
