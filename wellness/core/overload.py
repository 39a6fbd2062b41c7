"""Graceful overload: a bound on the HTTP requests one server process works on at once.

Past the bound a request is answered at once with 503, ``Retry-After`` and the API's JSON error
shape, before Django sees it, instead of queueing for a database connection until the pool's
timeout turns it into a 500. Sized below the database pool (README, "Serving at scale"), the pool
never runs dry for HTTP. One event loop per process: the counter needs no lock, since nothing
awaits between reading and changing it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from wellness.core.rest import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Loose on purpose: Django's and Channels' handlers each spell the ASGI callable's types their way.
AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]


class RequestsInFlightLimit:
    """ASGI middleware: at most ``limit`` HTTP requests in flight (0: no limit); paths in
    ``exempt_paths`` (the health check a load balancer probes) neither count nor are refused."""

    def __init__(
        self,
        app: AsgiApp,
        *,
        limit: int,
        retry_after_seconds: int,
        exempt_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt_paths = exempt_paths
        self.in_flight = 0
        body = error_body(
            "overloaded",
            f"The server is busy; try again in {retry_after_seconds} second(s).",
        )
        body["error"]["retry_after_seconds"] = retry_after_seconds
        self._refusal = json.dumps(body).encode()
        self._refusal_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self._refusal)).encode()),
            (b"retry-after", str(retry_after_seconds).encode()),
            (b"cache-control", b"no-store"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limit <= 0 or scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await send(
                {"type": "http.response.start", "status": 503, "headers": self._refusal_headers}
            )
            await send({"type": "http.response.body", "body": self._refusal})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
