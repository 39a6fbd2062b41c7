"""Live samples for spectators, published off the ingest consumer's path.

Each stored batch is announced to its workout's group (``workout-<id>``) at most once, after the
durable store. Rather than a ``group_send`` per batch on the consumer's path (a Redis round trip
each, one at a time behind the shard's lock), the consumers of one event-loop turn queue their
messages and one task flushes them: on channels-redis' pub/sub layer (what production and the
integration tests use) all the PUBLISHes of a flush go in one pipeline. A failed flush is logged
and dropped: spectators need the newest values, not a journal, and the database is the record.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any, TypeAlias
from weakref import WeakKeyDictionary

from channels.layers import BaseChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

logger = logging.getLogger(__name__)

# Flushes waiting on Redis at once. Past this (Redis stalled or gone) new live values are dropped
# rather than queued without bound: spectators want the newest values, and the store has them all.
MAX_FLUSHES_IN_FLIGHT = 32

# channels-redis' pub/sub layer is not a BaseChannelLayer subclass.
ChannelLayer: TypeAlias = BaseChannelLayer | RedisPubSubChannelLayer


class LivePublisher:
    """Coalesces ``group_send`` calls of one loop turn into one flush."""

    def __init__(self, layer: ChannelLayer) -> None:
        self.layer = layer
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._scheduled_on: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.dropped = 0  # messages dropped because too many flushes were waiting

    def publish(self, group: str, message: dict[str, Any]) -> None:
        """Queue ``message`` for ``group``; it goes out once the current loop turn is over."""
        self._pending.append((group, message))
        loop = asyncio.get_running_loop()
        if self._scheduled_on is not loop:
            self._scheduled_on = loop
            loop.call_soon(self._start_flush)

    def _start_flush(self) -> None:
        self._scheduled_on = None
        pending, self._pending = self._pending, []
        if pending and len(self._tasks) >= MAX_FLUSHES_IN_FLIGHT:
            self.dropped += len(pending)
            logger.warning(
                "live publish: %d flushes waiting on the channel layer; %d messages dropped",
                len(self._tasks),
                len(pending),
            )
        elif pending:
            task = asyncio.get_running_loop().create_task(self._flush(pending))
            self._tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(self._tasks.discard)

    async def flush_pending(self) -> None:
        """Send what is queued now and wait for every flush in flight (tests, shutdown)."""
        self._start_flush()
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def _flush(self, pending: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            if isinstance(self.layer, RedisPubSubChannelLayer):
                await _publish_pipelined(self.layer, pending)
            else:
                for group, message in pending:
                    await self.layer.group_send(group, message)
        except Exception:
            logger.exception("live publish of %d messages failed; dropped", len(pending))


async def _publish_pipelined(
    layer: RedisPubSubChannelLayer, pending: list[tuple[str, dict[str, Any]]]
) -> None:
    """The pub/sub layer's ``group_send`` (a PUBLISH on the group's channel) for many groups:
    one pipeline per shard, in queue order, instead of one locked round trip per message."""
    loop_layer = layer._get_layer()
    by_shard: dict[Any, list[tuple[str, bytes]]] = defaultdict(list)
    for group, message in pending:
        channel = loop_layer._get_group_channel_name(group)
        by_shard[loop_layer._get_shard(channel)].append((channel, layer.serialize(message)))
    for shard, publishes in by_shard.items():
        async with shard._lock:  # the shard's own publish holds it around its one PUBLISH
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, payload in publishes:
                pipe.publish(channel, payload)
            await pipe.execute()


_publishers: WeakKeyDictionary[ChannelLayer, LivePublisher] = WeakKeyDictionary()


def live_publisher(layer: ChannelLayer) -> LivePublisher:
    """The publisher of ``layer`` (one per channel layer)."""
    publisher = _publishers.get(layer)
    if publisher is None:
        publisher = _publishers[layer] = LivePublisher(layer)
    return publisher
