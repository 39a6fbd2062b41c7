"""WebSocket consumers of the person app; transport and group membership only."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from wellness.core.groups import person_sockets_group, session_tag, user_group
from wellness.core.ratelimit import TokenBucket
from wellness.core.revocations import revocation_watch
from wellness.people.models import AccessToken, TokenScope
from wellness.people.roles import socket_roles
from wellness.people.websocket import (
    CLOSE_FORBIDDEN,
    CLOSE_RATE_LIMITED,
    CLOSE_TOKEN_REVOKED,
    CLOSE_UNAUTHENTICATED,
)

_notices: set[asyncio.Future[None]] = set()


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Refuses anonymous sockets and tokens of the wrong scope; closes when its token is revoked.

    Every message it receives is rate limited (a token bucket; closed with 4429 beyond) and must be
    a JSON text frame (anything else is answered with an error, see ``reply_error``).

    Subclasses set ``token_scopes`` and extend ``joined`` for their own groups. A token socket is
    watched by the process's one revocation watch (``wellness/revocations.py``), which hands the
    revocation to the socket's own channel, so ``token_revoked`` runs in turn with its other
    messages as before. A cookie-authenticated socket joins its person's sockets group, and
    closes when that person signs out of its session, is deleted, withdraws consent or loses a
    role (``wellness.people.services.person_sockets_close``).
    """

    token_scopes: tuple[str, ...] = (TokenScope.API,)
    groups_joined: list[str]
    watched_token: int | None = None
    closed = False
    session: str | None = None
    # The roles held when the socket opened (``wellness.people.roles``): losing one closes it.
    roles: set[str]
    # A cookie-signed socket joins its person's group, so signing out (and the like) closes it.
    follows_session = True

    async def connect(self) -> None:
        self.groups_joined = []
        self.bucket = self.message_bucket()
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
        self.roles = socket_roles(user)
        if token is None and self.follows_session:
            session = self.scope.get("session")
            self.session = session_tag(session.session_key if session is not None else None)
            await self.join(person_sockets_group(user.pk))
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

    def message_bucket(self) -> TokenBucket:
        return TokenBucket(
            settings.WELLVERSE_SOCKET_MESSAGES_PER_SECOND, settings.WELLVERSE_SOCKET_MESSAGE_BURST
        )

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if self.closed:
            return
        self.closed = True  # nothing is sent, and no message handled, after the close frame
        await super().close(code, reason)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not await self.admitted():
            return
        try:
            content = await self.decode_json(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if content is None:
            await self.reply_error("malformed", "Send each message as a JSON text frame.")
            return
        await self.receive_json(content, **kwargs)

    async def admitted(self) -> bool:
        """Whether to handle the message just received: not after the close, nor past the rate."""
        if self.closed:
            return False
        if not self.bucket.take():
            await self.close(code=CLOSE_RATE_LIMITED)
            return False
        return True

    async def reply_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

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

    async def sockets_close(self, event: dict[str, Any]) -> None:
        if event.get("session") not in (None, self.session):
            return  # another of the person's sessions signed out
        if event.get("role") not in (None, *self.roles):
            return  # a role this socket was not opened with
        signed_out = event.get("reason") in ("signed_out", "account_deleted")
        await self.close(code=CLOSE_UNAUTHENTICATED if signed_out else CLOSE_FORBIDDEN)


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
