"""ASGI lifespan: the background loops the server process runs itself in the embedded default.

* World tickers. Without Redis the channel layer is in-memory, so ``manage.py worlds_live`` in
  another process never hears the ingest's batches; ``WELLVERSE_WORLDS_LIVE_IN_SERVER=1`` (set by
  ``make run`` when there is no ``REDIS_URL``) runs the same loop in the server, so avatars move
  with nobody watching.
* Overdue live classes. Starting a class session queues a check for when it would count as
  forgotten; with tasks executed at once (no ``REDIS_URL``) that check runs immediately and finds
  nothing to do, so the server sweeps for overdue sessions every minute instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from wellness.classes.services import sessions_end_overdue
from worlds.live import run_for_live_sessions

logger = logging.getLogger(__name__)

OVERDUE_SWEEP_SECONDS = 60.0


async def sweep_overdue_sessions(*, every_s: float = OVERDUE_SWEEP_SECONDS) -> None:
    """End overdue class sessions every ``every_s`` seconds until cancelled."""
    while True:
        try:
            ended = await database_sync_to_async(sessions_end_overdue)()
        except Exception:  # the next sweep tries again; the server keeps serving
            logger.exception("the sweep for overdue class sessions failed")
        else:
            if ended:
                logger.info("ended %d overdue class session(s)", ended)
        await asyncio.sleep(every_s)


def background_loops() -> list[Any]:
    """The coroutines this server process runs for as long as it serves."""
    loops = []
    if settings.WELLVERSE_WORLDS_LIVE_IN_SERVER:
        loops.append(run_for_live_sessions(poll_seconds=2.0))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        loops.append(sweep_overdue_sessions())
    return loops


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    tasks: list[asyncio.Task[None]] = []
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tasks = [asyncio.create_task(loop) for loop in background_loops()]
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await send({"type": "lifespan.shutdown.complete"})
            return
