"""``/ws/v1/worlds/<id>/``: spectate a world. Transport and group membership only."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from wellness.people.consumers import AuthenticatedConsumer
from wellness.people.models import TokenScope
from wellness.people.websocket import CLOSE_NOT_FOUND
from worlds import live, selectors


class WorldConsumer(AuthenticatedConsumer):
    """Sends a snapshot of the world's avatars on connect, then one ``tick`` frame per tick.

    The ticks are written to the socket by the world's ticker in this process (one frame encoded
    once for all of its spectators), not dispatched through this consumer. A private world the
    person was not invited to is refused with 4404, as if it did not exist.
    """

    token_scopes = (TokenScope.API,)
    world_id: int | None = None
    ticker: live.WorldTicker | None = None
    spectator: live.Spectator | None = None

    async def joined(self) -> bool:
        world_id = int(self.scope["url_route"]["kwargs"]["world_id"])
        allowed = await database_sync_to_async(selectors.world_can_spectate)(
            user=self.scope["user"], world_id=world_id
        )
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        self.ticker = await live.ticker_acquire(world_id)
        self.world_id = world_id
        # Before the snapshot is read, so no tick falls between the snapshot and the first tick.
        self.spectator = self.ticker.watch(self.base_send)
        await self.join(self.ticker.group)
        return True

    async def connect(self) -> None:
        await super().connect()
        if self.ticker is not None and self.spectator is not None:
            avatars = await database_sync_to_async(selectors.world_live_avatars)(
                world_id=self.ticker.world_id
            )
            await self.send_json(
                {
                    "type": "snapshot",
                    "world_id": self.ticker.world_id,
                    "tick_seconds": live.tick_seconds(),
                    "columns": list(live.AVATAR_COLUMNS),
                    "avatars": avatars,
                }
            )
            await self.ticker.live(self.spectator)

    def _unwatch(self) -> None:
        if self.ticker is not None and self.spectator is not None:
            self.ticker.unwatch(self.spectator)
        self.spectator = None

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self._unwatch()  # nothing may be written after the close frame
        await super().close(code, reason)

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        self._unwatch()
        if self.world_id is not None:
            await live.ticker_release(self.world_id)
            self.world_id = None
            self.ticker = None

    async def world_tick(self, event: dict[str, Any]) -> None:
        # Frames sent through the channel layer to this process's spectator group (from
        # elsewhere: the ticker writes its ticks directly).
        await self.send(text_data=event["text"])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.reply_error("read_only", "This socket only streams the world.")
