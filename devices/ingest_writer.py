"""Group commit for live ingest: one database write for every batch pending in this process.

Thousands of sockets each sending a batch a second would otherwise each take a thread hop and a
few queries. Instead each consumer hands its validated batch to the writer of its event loop and
awaits the outcome; while one write runs, new batches queue up and go in the next one, so under
load a write carries many batches and at low load it carries one without waiting for company.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from wellness.core.coalesce import MicroBatcher
from wellness.workouts.services import PendingBatch, sample_batches_store_many

MAX_BATCHES_PER_WRITE = 500

_store_many = database_sync_to_async(sample_batches_store_many)


async def _write(batches: list[PendingBatch]) -> list[bool | Exception]:
    return list(await _store_many(batches=batches))


_writer: MicroBatcher[PendingBatch, bool] = MicroBatcher(_write, max_items=MAX_BATCHES_PER_WRITE)


async def batch_store(batch: PendingBatch) -> bool:
    """True if stored now, False if stored before; raises the DomainError refusing it."""
    return await _writer.submit(batch)
