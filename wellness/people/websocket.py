"""WebSocket authentication and origin checks, shared by every consumer.

A socket authenticates either with a bearer token in the ``Authorization`` header (the bridge,
scripts) or with the session cookie (the browser). Browsers always send ``Origin``; a socket that
carries one must come from an allowed host, which stops cross-site WebSocket hijacking of a
signed-in browser. Non-browser clients send no ``Origin`` and have no ambient cookie to abuse,
so they are let through to token authentication.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddleware
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import OriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from wellness.core.coalesce import Coalescer, lookup_sync_to_async
from wellness.people.authentication import bearer_secret
from wellness.people.models import AccessToken
from wellness.people.selectors import access_tokens_by_secrets

# Close codes (4000-4999 are for applications). Documented in the README.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOKEN_REVOKED = 4410
CLOSE_RATE_LIMITED = 4429


class BrowserOriginValidator(OriginValidator):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        if b"origin" not in headers:
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)


# Sockets opening at once share one token query (a connection storm after a server restart).
_tokens: Coalescer[str, AccessToken | None] = Coalescer(
    lookup_sync_to_async(access_tokens_by_secrets), None
)


async def _token_of(header: bytes) -> AccessToken | None:
    secret = bearer_secret(header.decode("latin-1"))
    return await _tokens.get(secret) if secret else None


class BearerTokenRouter:
    """A socket with a valid bearer token goes straight to ``app``; any other to ``session_app``
    (the cookie, session and auth middleware, which fall back to the session's user).

    A token socket has no use for a session (the token is who it is), and the session middleware
    costs on every socket: a cookie parse and a session store at connect, a wrapper around every
    message it sends (the live-ingest acks of thousands of bridges), and the session's user
    look-up in a hop to the one sync thread, where 2,000 bridges reconnecting at once queued
    2,000 hops behind the live-ingest group commit's writes.
    """

    def __init__(self, app: Any, session_app: Any) -> None:
        self.app, self.session_app = app, session_app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        header = dict(scope.get("headers", [])).get(b"authorization")
        if header is None:
            return await self.session_app(scope, receive, send)
        token = await _token_of(header)
        if token is None:  # not valid: the session decides, as without a header
            return await self.session_app(dict(scope, token=None), receive, send)
        return await self.app(dict(scope, token=token, user=token.user), receive, send)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """The last route: a socket to a path no consumer serves is refused (4404), not a 500."""

    async def connect(self) -> None:
        await self.close(code=CLOSE_NOT_FOUND)


def websocket_stack(app: Any) -> Any:
    """Wrap a URL router with origin validation and token auth, else session auth (token wins)."""
    allowed = [*settings.ALLOWED_HOSTS, *settings.CSRF_TRUSTED_ORIGINS]
    session_app = CookieMiddleware(SessionMiddleware(AuthMiddleware(app)))
    return BrowserOriginValidator(BearerTokenRouter(app, session_app), allowed)


def second_factor_from_session(user: Any, session: Any) -> None:
    """Mark ``user.otp_device`` as django-otp's middleware does for HTTP: sockets pass no middleware
    of django-otp, and a health role acts only on a session verified by a second factor."""
    user.otp_device = None
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if persistent_id:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and device.user_id == user.pk and device.confirmed:
            user.otp_device = device
