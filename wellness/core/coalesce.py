"""Coalesced look-ups: many sockets asking the same kind of question share one query.

A thousand sockets opening at once would otherwise each take a hop to the sync thread and a few
queries of their own (token, consent, live-effort state), one after another on that one thread,
ahead of the live ingest's writes. A :class:`Coalescer` collects the keys asked for on its event
loop while one fetch runs and answers them all with the next fetch; at low load a fetch carries
one key and waits for no company.

On PostgreSQL the fetches run on a thread (and database connection) of their own,
:func:`lookup_sync_to_async`, not on the one thread-sensitive sync thread: that thread runs the
live ingest's group commit, and a connection storm's look-ups (thousands of tokens, consents and
live-effort states, ORM rows to build) queued every write, so every ack, behind them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

MAX_KEYS_PER_FETCH = 500  # a fetch's keys, counting a key asked twice twice

# One thread: coalescing already makes a fetch carry many keys, and one look-up at a time keeps
# the GIL for the event loop. SQLite stays on the sync thread (one writer, no second connection).
_lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wellverse-lookups")


def lookup_sync_to_async(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``database_sync_to_async(func)``, on the look-up thread when the database is PostgreSQL.

    For read-only functions: they see what is committed, from another connection than the
    sync thread's."""
    on_sync_thread: Any = database_sync_to_async(func)
    on_lookup_thread: Any = DatabaseSyncToAsync(func, thread_sensitive=False, executor=_lookups)

    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        result: R
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            result = await on_lookup_thread(*args, **kwargs)
        else:
            result = await on_sync_thread(*args, **kwargs)
        return result

    return call


class _Queue(Generic[T, R]):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[tuple[T, asyncio.Future[R]]] = []
        self.task: asyncio.Task[None] | None = None


class MicroBatcher(Generic[T, R]):
    """``await batcher.submit(item)``: ``process(items)`` handles every item submitted on this event
    loop while its previous call ran, so under load a call carries many items and at low load one.

    ``process`` returns one outcome per item, in order; an exception as an outcome is raised to
    that item's caller, and ``process`` raising fails every item of that call. One queue per loop.
    """

    def __init__(
        self, process: Callable[[list[T]], Awaitable[Sequence[R | Exception]]], *, max_items: int
    ) -> None:
        self.process, self.max_items = process, max_items
        self.queues: dict[int, _Queue[T, R]] = {}

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self.queues.get(id(loop))
        if queue is None or queue.loop is not loop:  # none yet, or of a closed loop with its id
            queue = self.queues[id(loop)] = _Queue(loop)
        future: asyncio.Future[R] = loop.create_future()
        queue.pending.append((item, future))
        if queue.task is None or queue.task.done():
            queue.task = asyncio.ensure_future(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[T, R]) -> None:
        while queue.pending:
            taken = queue.pending[: self.max_items]
            del queue.pending[: self.max_items]
            try:
                outcomes = await self.process([item for item, _ in taken])
            except Exception as exc:  # the database is down: every waiting caller learns it
                outcomes = [exc] * len(taken)
            for (_, future), outcome in zip(taken, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


class Coalescer(Generic[K, V]):
    """``await coalescer.get(key)``: ``fetch(keys)`` answers many keys at once, each key once.

    ``fetch`` returns a value for every key it was given (a missing key gets ``default``); it
    raising fails every key of that fetch. One queue per event loop.
    """

    def __init__(self, fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], default: V) -> None:
        self.fetch, self.default = fetch, default
        self.batcher: MicroBatcher[K, V] = MicroBatcher(self._answer, max_items=MAX_KEYS_PER_FETCH)

    async def get(self, key: K) -> V:
        return await self.batcher.submit(key)

    async def _answer(self, keys: list[K]) -> list[V | Exception]:
        found = await self.fetch(list(dict.fromkeys(keys)))
        return [found.get(key, self.default) for key in keys]
