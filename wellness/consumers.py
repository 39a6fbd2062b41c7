"""WebSocket consumers of the person app; transport and group membership only."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from wellness.models import AccessToken, TokenScope
from wellness.services import token_group, user_group
from wellness.websocket import CLOSE_FORBIDDEN, CLOSE_TOKEN_REVOKED, CLOSE_UNAUTHENTICATED


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Refuses anonymous sockets and tokens of the wrong scope; closes when its token is revoked.

    Subclasses set ``token_scopes`` and extend ``joined`` for their own groups.
    """

    token_scopes: tuple[str, ...] = (TokenScope.API,)
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        token: AccessToken | None = self.scope.get("token")
        if token is not None:
            if token.scope not in self.token_scopes:
                await self.close(code=CLOSE_FORBIDDEN)
                return
            await self.join(token_group(token.pk))
        if await self.joined():
            await self.accept()

    async def joined(self) -> bool:
        """Join this consumer's groups; return False after closing to refuse the socket."""
        return True

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def token_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TOKEN_REVOKED)


class NotificationConsumer(AuthenticatedConsumer):
    """``/ws/v1/notifications/``: live events for the signed-in person (badges, levels, ...).

    Other apps send ``{"type": "notify", "event": {...}}`` to :func:`wellness.services.user_group`.
    """

    token_scopes = (TokenScope.API,)

    async def joined(self) -> bool:
        await self.join(user_group(self.scope["user"].pk))
        return True

    async def notify(self, event: dict[str, Any]) -> None:
        await self.send_json(event["event"])
