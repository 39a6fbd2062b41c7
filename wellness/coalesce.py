"""Coalesced look-ups: many sockets asking the same kind of question share one query.

A thousand sockets opening at once would otherwise each take a hop to the sync thread and a few
queries of their own (token, consent, live-effort state), one after another on that one thread,
ahead of the live ingest's writes. A :class:`Coalescer` collects the keys asked for on its event
loop while one fetch runs and answers them all with the next fetch; at low load a fetch carries
one key and waits for no company.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_KEYS_PER_FETCH = 500


class _Queue(Generic[K, V]):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: dict[K, list[asyncio.Future[V]]] = {}
        self.task: asyncio.Task[None] | None = None


class Coalescer(Generic[K, V]):
    """``await coalescer.get(key)``: ``fetch(keys)`` answers many keys at once.

    ``fetch`` returns a value for every key it was given (a missing key gets ``default``); it
    raising fails every key of that fetch. One queue per event loop.
    """

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: V) -> None:
        self.fetch, self.default = fetch, default
        self.queues: dict[int, _Queue[K, V]] = {}

    async def get(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        queue = self.queues.get(id(loop))
        if queue is None or queue.loop is not loop:  # none yet, or of a closed loop with its id
            queue = self.queues[id(loop)] = _Queue(loop)
        future: asyncio.Future[V] = loop.create_future()
        queue.waiting.setdefault(key, []).append(future)
        if queue.task is None or queue.task.done():
            queue.task = asyncio.ensure_future(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[K, V]) -> None:
        while queue.waiting:
            keys = list(queue.waiting)[:MAX_KEYS_PER_FETCH]
            taken = {key: queue.waiting.pop(key) for key in keys}
            try:
                found = await self.fetch(keys)
            except Exception as exc:  # the database is down: every waiting caller learns it
                for futures in taken.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for key, futures in taken.items():
                value = found.get(key, self.default)
                for future in futures:
                    if not future.done():
                        future.set_result(value)
