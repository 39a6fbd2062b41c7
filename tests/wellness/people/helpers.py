"""Cookie-authenticated sockets of a signed-in browser, for the tests of sockets that follow the
session and its roles."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator
from django.test import Client

from wellness.config.asgi import application


async def open_socket(browser: Client, path: str) -> WebsocketCommunicator:
    """A socket authenticated by the browser's session cookie (as the web UI opens one)."""
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    ws = WebsocketCommunicator(application, path, headers=[(b"cookie", cookie.encode())])
    connected, code = await ws.connect()
    assert connected, code
    return ws


async def closed_with(ws: WebsocketCommunicator) -> int:
    """The close code, past the frames a world or class socket was sending meanwhile."""
    for _ in range(50):
        message = await ws.receive_output(timeout=2)
        if message["type"] == "websocket.close":
            return int(message["code"])
    raise AssertionError("the socket stayed open")
