"""WebSocket consumers of the person app; transport and group membership only."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from wellness.core.groups import user_group
from wellness.core.revocations import revocation_watch
from wellness.people.models import AccessToken, TokenScope
from wellness.people.websocket import CLOSE_FORBIDDEN, CLOSE_TOKEN_REVOKED, CLOSE_UNAUTHENTICATED

_notices: set[asyncio.Future[None]] = set()


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Refuses anonymous sockets and tokens of the wrong scope; closes when its token is revoked.

    Subclasses set ``token_scopes`` and extend ``joined`` for their own groups. A token socket is
    watched by the process's one revocation watch (``wellness/revocations.py``), which hands the
    revocation to the socket's own channel, so ``token_revoked`` runs in turn with its other
    messages as before.
    """

    token_scopes: tuple[str, ...] = (TokenScope.API,)
    groups_joined: list[str]
    watched_token: int | None = None

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        token: AccessToken | None = self.scope.get("token")
        watch = revocation_watch() if token is not None else None
        if token is not None:
            if token.scope not in self.token_scopes:
                await self.close(code=CLOSE_FORBIDDEN)
                return
            if watch is not None:
                await watch.subscribed()
                if watch.was_revoked(token.pk):
                    await self.close(code=CLOSE_TOKEN_REVOKED)
                    return
        if not await self.joined():
            return
        await self.accept()
        if token is not None and watch is not None:
            if watch.add(token.pk, self):
                self.watched_token = token.pk
            else:  # revoked while this socket was being accepted: closed next, in turn
                self.token_revocation_notice()

    def token_revocation_notice(self) -> None:
        """The revocation watch's call: queue ``token.revoked`` on this consumer's channel."""
        task = asyncio.ensure_future(
            self.channel_layer.send(self.channel_name, {"type": "token.revoked"})
        )
        _notices.add(task)  # keep a reference until it is sent
        task.add_done_callback(_notices.discard)

    async def joined(self) -> bool:
        """Join this consumer's groups; return False after closing to refuse the socket."""
        return True

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def disconnect(self, code: int) -> None:
        if self.watched_token is not None:
            watch = revocation_watch()
            if watch is not None:
                watch.discard(self.watched_token, self)
            self.watched_token = None
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def token_revoked(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TOKEN_REVOKED)


class NotificationConsumer(AuthenticatedConsumer):
    """``/ws/v1/notifications/``: live events for the signed-in person (badges, levels, ...).

    Other apps send events with :func:`wellness.core.transactions.notify_on_commit`.
    """

    token_scopes = (TokenScope.API,)

    async def joined(self) -> bool:
        await self.join(user_group(self.scope["user"].pk))
        return True

    async def notify(self, event: dict[str, Any]) -> None:
        await self.send_json(event["event"])
