"""Graceful overload on the real server: past the in-flight bound, 503 JSON with Retry-After."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.servers import asgi_server_start, asgi_server_stop

pytestmark = pytest.mark.integration


def status_of(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.usefixtures("transactional_db", "_redis_flushed")
def test_with_one_request_in_flight_the_next_is_refused_at_once_with_503_json(
    tmp_path: Path,
) -> None:
    server = asgi_server_start(tmp_path / "uvicorn.log", WELLVERSE_MAX_REQUESTS_IN_FLIGHT="1")
    try:
        # Given a request in flight: its body arrives slowly, and Django waits for all of it
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow.sendall(
            b"POST /api/v1/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\n\r\n{"
        )
        # When another request comes
        status, headers, body = status_of(f"{server.http_url}/api/v1/me/")
        # Then it is refused at once, in the API's error shape, saying when to retry
        assert status == 503
        assert headers["Retry-After"] == "1"
        assert headers["Content-Type"] == "application/json"
        error = json.loads(body)["error"]
        assert (error["code"], error["retry_after_seconds"]) == ("overloaded", 1)
        # while the load balancer's health check still answers
        assert status_of(f"{server.http_url}/healthz")[0] == 200
        # and once the slow request ends, its place is free again
        slow.sendall(b"}")
        assert slow.recv(12) != b"HTTP/1.1 503"
        slow.close()
        deadline = time.monotonic() + 2  # the handler returns just after its answer is sent
        while (status := status_of(f"{server.http_url}/api/v1/me/")[0]) == 503:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert status in {401, 403}
    finally:
        asgi_server_stop(server)
