"""Graceful overload: requests past the in-flight bound are refused at once with 503 JSON."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from wellness.core.overload import RequestsInFlightLimit


class HeldApp:
    """An application that answers 200 once ``release`` is set; counts the requests it saw."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.seen = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.seen += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


async def request(app: Any, path: str = "/api/v1/me/", kind: str = "http") -> list[Any]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": kind, "path": path}, receive, send)
    return sent


async def test_a_request_past_the_limit_gets_503_json_with_retry_after_at_once() -> None:
    held = HeldApp()
    limited = RequestsInFlightLimit(held, limit=1, retry_after_seconds=2)
    first = asyncio.create_task(request(limited))
    await asyncio.sleep(0)

    refused = await asyncio.wait_for(request(limited), timeout=1)

    assert refused[0]["status"] == 503
    headers = dict(refused[0]["headers"])
    assert headers[b"retry-after"] == b"2"
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(refused[1]["body"]) == {
        "error": {
            "code": "overloaded",
            "message": "The server is busy; try again in 2 second(s).",
            "fields": {},
            "retry_after_seconds": 2,
        }
    }
    assert held.seen == 1
    held.release.set()
    assert (await first)[0]["status"] == 200


async def test_a_finished_request_frees_its_place() -> None:
    held = HeldApp()
    held.release.set()
    limited = RequestsInFlightLimit(held, limit=1, retry_after_seconds=1)

    answers = [(await request(limited))[0]["status"] for _ in range(3)]

    assert answers == [200, 200, 200]
    assert limited.in_flight == 0


async def test_the_health_check_and_sockets_are_neither_counted_nor_refused() -> None:
    held = HeldApp()
    limited = RequestsInFlightLimit(
        held, limit=1, retry_after_seconds=1, exempt_paths=frozenset({"/healthz"})
    )
    busy = asyncio.create_task(request(limited))
    await asyncio.sleep(0)

    health = asyncio.create_task(request(limited, "/healthz"))
    socket = asyncio.create_task(request(limited, "/ws/live/", kind="websocket"))
    await asyncio.sleep(0)
    held.release.set()

    assert [(await t)[0]["status"] for t in (busy, health, socket)] == [200, 200, 200]
    assert held.seen == 3
