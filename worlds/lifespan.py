"""ASGI lifespan: optionally keep the world tickers inside the server process.

Without Redis the channel layer is in-memory, so ``manage.py worlds_live`` in another process
never hears the ingest's batches; ``WELLVERSE_WORLDS_LIVE_IN_SERVER=1`` (set by ``make run`` when
there is no ``REDIS_URL``) runs the same loop in the server, so avatars move with nobody watching.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

from worlds.live import run_for_live_sessions


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    task: asyncio.Task[None] | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if os.environ.get("WELLVERSE_WORLDS_LIVE_IN_SERVER") == "1":
                task = asyncio.create_task(run_for_live_sessions(poll_seconds=2.0))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await send({"type": "lifespan.shutdown.complete"})
            return
