"""WebSocket authentication and origin checks, shared by every consumer.

A socket authenticates either with a bearer token in the ``Authorization`` header (the bridge,
scripts) or with the session cookie (the browser). Browsers always send ``Origin``; a socket that
carries one must come from an allowed host, which stops cross-site WebSocket hijacking of a
signed-in browser. Non-browser clients send no ``Origin`` and have no ambient cookie to abuse,
so they are let through to token authentication.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings

from wellness import selectors
from wellness.authentication import bearer_secret
from wellness.coalesce import Coalescer
from wellness.models import AccessToken

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
    database_sync_to_async(selectors.access_tokens_by_secrets), None
)


class TokenAuthMiddleware:
    """Sets ``scope["user"]`` and ``scope["token"]`` from an ``Authorization: Bearer`` header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        header = headers.get(b"authorization")
        if header is not None:
            secret = bearer_secret(header.decode("latin-1"))
            token = await _tokens.get(secret) if secret else None
            scope = dict(scope, token=token)
            if token is not None:
                scope["user"] = token.user
        return await self.app(scope, receive, send)


def websocket_stack(app: Any) -> Any:
    """Wrap a URL router with origin validation, session auth and token auth (token wins)."""
    allowed = [*settings.ALLOWED_HOSTS, *settings.CSRF_TRUSTED_ORIGINS]
    return BrowserOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(app)), allowed)
