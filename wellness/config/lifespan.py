"""ASGI lifespan: the background loops the server process runs itself in the embedded default.

* World tickers. Without Redis the channel layer is in-memory, so ``manage.py worlds_live`` in
  another process never hears the ingest's batches; ``WELLVERSE_WORLDS_LIVE_IN_SERVER=1`` (set by
  ``make run`` when there is no ``REDIS_URL``) runs the same loop in the server, so avatars move
  with nobody watching.
* Overdue live classes. Starting a class session queues a check for when it would count as
  forgotten; with tasks executed at once (no ``REDIS_URL``) that check runs immediately and finds
  nothing to do, so the server sweeps for overdue sessions every minute instead.
* Scoring recovery, in both modes. A finished workout whose drain task was lost (a worker killed,
  a message gone) would wait for the broker's visibility timeout, or for ever; every
  ``WELLVERSE_SCORING_RECOVERY_SECONDS`` the server queues the drain again for markers that waited
  longer than that (``scoring_drain_recover``), so a crash delays a score by about a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from wellness.classes.services import sessions_end_overdue
from wellness.scoring.tasks import scoring_drain_recover
from worlds.live import run_for_live_sessions

logger = logging.getLogger(__name__)

OVERDUE_SWEEP_SECONDS = 60.0


async def repeat(job: Callable[[], object], *, every_s: float, what: str) -> None:
    """Run the blocking ``job`` in a thread every ``every_s`` seconds until cancelled."""
    while True:
        try:
            done = await database_sync_to_async(job)()
        except Exception:  # the next round tries again; the server keeps serving
            logger.exception("%s failed", what)
        else:
            if done:
                logger.info("%s: %s", what, done)
        await asyncio.sleep(every_s)


def sweep_overdue_sessions(*, every_s: float = OVERDUE_SWEEP_SECONDS) -> Coroutine[Any, Any, None]:
    """End overdue class sessions every ``every_s`` seconds."""
    return repeat(sessions_end_overdue, every_s=every_s, what="ending overdue class sessions")


def recover_scoring() -> Coroutine[Any, Any, None]:
    """Queue the scoring drain again for workouts that waited longer than the recovery period."""
    period = dt.timedelta(seconds=settings.WELLVERSE_SCORING_RECOVERY_SECONDS)

    def recover() -> bool:
        return scoring_drain_recover(now=timezone.now(), waited=period)

    return repeat(recover, every_s=period.total_seconds(), what="re-queueing missed scoring")


def background_loops() -> list[Any]:
    """The coroutines this server process runs for as long as it serves."""
    loops = []
    if settings.WELLVERSE_WORLDS_LIVE_IN_SERVER:
        loops.append(run_for_live_sessions(poll_seconds=2.0))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        loops.append(sweep_overdue_sessions())
    loops.append(recover_scoring())
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
