"""One token-revocation watch per server process, instead of a subscription per socket.

Revoking a token must close every WebSocket that authenticated with it, in every server process.
Each process subscribes once to one channel-layer group (:data:`REVOCATIONS_GROUP`); a revocation
is one message to it naming the token ids, and the watch of each process tells its own sockets of
those tokens: one subscription per process, not a Redis SUBSCRIBE per socket at connect, which a
reconnect storm of bridges would queue behind the pub/sub shard's lock.

A token revoked after a socket's token look-up but before the socket is registered here is not
missed: the watch remembers the ids it saw revoked for :data:`REMEMBERED_SECONDS`, and
:meth:`RevocationWatch.add` refuses them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

REVOCATIONS_GROUP = "tokens-revoked"
REMEMBERED_SECONDS = 300.0
# Channels' own layers forget a group membership after a day (``group_expiry``); the pub/sub layer
# production runs keeps it, but re-joining costs nothing.
REJOIN_SECONDS = 3600.0


def revocation_message(token_ids: Iterable[int]) -> dict[str, Any]:
    """The message to :data:`REVOCATIONS_GROUP` that closes the sockets of these tokens."""
    return {"type": "tokens.revoked", "token_ids": list(token_ids)}


class Revocable(Protocol):
    def token_revocation_notice(self) -> None:
        """Called (in the event loop, not awaited) once this socket's token is revoked."""


class RevocationWatch:
    """The sockets of one event loop by token id; tells them when their token is revoked."""

    def __init__(self, layer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.layer, self.loop = layer, loop
        self.sockets: dict[int, weakref.WeakSet[Revocable]] = {}
        self.revoked: dict[int, float] = {}  # token ids seen revoked lately -> monotonic time
        self._subscribing: asyncio.Task[None] | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._rejoiner: asyncio.Task[None] | None = None

    async def subscribed(self) -> None:
        """Return once this process hears every revocation published from now on."""
        if self._subscribing is None or (
            self._subscribing.done() and self._subscribing.exception() is not None
        ):
            self._subscribing = asyncio.ensure_future(self._subscribe())
        # Sockets opening at once all wait for the one subscription; a cancelled socket does not
        # cancel it for the others.
        await asyncio.shield(self._subscribing)

    def was_revoked(self, token_id: int) -> bool:
        return token_id in self.revoked

    def add(self, token_id: int, socket: Revocable) -> bool:
        """Watch ``socket`` for ``token_id``; False (nothing registered) if it was revoked lately.

        Call it after :meth:`subscribed`: then a revocation is either seen here already or still
        on its way, and arrives after this."""
        if token_id in self.revoked:
            return False
        self.sockets.setdefault(token_id, weakref.WeakSet()).add(socket)
        return True

    def discard(self, token_id: int, socket: Revocable) -> None:
        sockets = self.sockets.get(token_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.sockets[token_id]

    def tokens_revoked(self, token_ids: Iterable[int]) -> None:
        now = time.monotonic()
        for token_id in token_ids:
            self.revoked[token_id] = now
            for socket in list(self.sockets.pop(token_id, ())):
                socket.token_revocation_notice()
        forgotten = [t for t, seen in self.revoked.items() if now - seen > REMEMBERED_SECONDS]
        for token_id in forgotten:
            del self.revoked[token_id]

    async def _subscribe(self) -> None:
        channel = await self.layer.new_channel(prefix="revocations.")
        await self.layer.group_add(REVOCATIONS_GROUP, channel)
        for task in (self._receiver, self._rejoiner):
            if task is not None:
                task.cancel()
        self._receiver = asyncio.ensure_future(self._receive(channel))
        self._rejoiner = asyncio.ensure_future(self._rejoin(channel))

    async def _rejoin(self, channel: str) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            try:
                await self.layer.group_add(REVOCATIONS_GROUP, channel)
            except Exception:
                logger.exception("token revocation watch: re-joining the group failed")

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis gone: the layer reconnects; keep listening
                logger.exception("token revocation watch: receive failed")
                await asyncio.sleep(1)
                continue
            if message.get("type") == "tokens.revoked":
                self.tokens_revoked(int(t) for t in message.get("token_ids", ()))


_watches: dict[int, RevocationWatch] = {}


def revocation_watch() -> RevocationWatch | None:
    """The watch of the running event loop and the default channel layer (None without one).

    One per server process; tests run a loop each, and a watch keeps its loop, so a new loop at
    a recycled address gets a new watch."""
    layer = get_channel_layer()
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    found = _watches.get(id(loop))
    if found is None or found.loop is not loop or found.layer is not layer:
        found = _watches[id(loop)] = RevocationWatch(layer, loop)
    return found
