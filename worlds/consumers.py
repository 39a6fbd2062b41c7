"""``/ws/v1/worlds/<id>/``: spectate a world. Transport and group membership only."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async

from wellness.consumers import AuthenticatedConsumer
from wellness.models import TokenScope
from wellness.websocket import CLOSE_NOT_FOUND
from worlds import live, selectors


class WorldConsumer(AuthenticatedConsumer):
    """Sends a snapshot of the world's avatars on connect, then one ``tick`` frame per tick.

    A private world the person was not invited to is refused with 4404, as if it did not exist.
    """

    token_scopes = (TokenScope.API,)
    world_id: int | None = None

    async def joined(self) -> bool:
        world_id = int(self.scope["url_route"]["kwargs"]["world_id"])
        allowed = await database_sync_to_async(selectors.world_can_spectate)(
            user=self.scope["user"], world_id=world_id
        )
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        ticker = await live.ticker_acquire(world_id)
        self.world_id = world_id
        await self.join(ticker.group)
        return True

    async def connect(self) -> None:
        await super().connect()
        if self.world_id is not None:
            avatars = await database_sync_to_async(selectors.world_live_avatars)(
                world_id=self.world_id
            )
            await self.send_json(
                {
                    "type": "snapshot",
                    "world_id": self.world_id,
                    "tick_seconds": live.tick_seconds(),
                    "columns": list(live.AVATAR_COLUMNS),
                    "avatars": avatars,
                }
            )

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.world_id is not None:
            await live.ticker_release(self.world_id)
            self.world_id = None

    async def world_tick(self, event: dict[str, Any]) -> None:
        # Serialised once per tick by the ticker; every spectator gets the same text.
        await self.send(text_data=event["text"])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send(
            text_data=json.dumps(
                {
                    "type": "error",
                    "code": "read_only",
                    "message": "This socket only streams the world.",
                }
            )
        )
