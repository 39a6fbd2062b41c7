"""Group commit for live ingest: one database write for every batch pending in this process.

Thousands of sockets each sending a batch a second would otherwise each take a thread hop and a
few queries. Instead each consumer hands its validated batch to the writer of its event loop and
awaits the outcome; while one write runs, new batches queue up and go in the next one, so under
load a write carries many batches and at low load it carries one without waiting for company.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async

from wellness import services
from wellness.services import PendingBatch

MAX_BATCHES_PER_WRITE = 500

_writers: dict[int, BatchWriter] = {}


class BatchWriter:
    def __init__(self) -> None:
        self.pending: list[tuple[PendingBatch, asyncio.Future[bool]]] = []
        self.task: asyncio.Task[None] | None = None

    async def store(self, batch: PendingBatch) -> bool:
        """True if stored now, False if stored before; raises the DomainError refusing it."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.pending.append((batch, future))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.pending:
            taken = self.pending[:MAX_BATCHES_PER_WRITE]
            del self.pending[:MAX_BATCHES_PER_WRITE]
            try:
                outcomes = await database_sync_to_async(services.sample_batches_store_many)(
                    batches=[batch for batch, _ in taken]
                )
            except Exception as exc:  # the database is down: every waiting batch learns it
                for _, future in taken:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(taken, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


def writer() -> BatchWriter:
    """The writer of the running event loop (one per server process in production)."""
    loop_id = id(asyncio.get_running_loop())
    found = _writers.get(loop_id)
    if found is None:
        found = _writers[loop_id] = BatchWriter()
    return found
