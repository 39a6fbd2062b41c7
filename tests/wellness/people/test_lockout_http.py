"""The brute-force attack of issue 19 against the real HTTP stack (uvicorn): 40 wrong passwords,
each with a new X-Forwarded-For, then the right one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.servers import AsgiServer

pytestmark = pytest.mark.integration


def _sign_in(
    server: AsgiServer, email: str, password: str, forwarded_for: str
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/auth/token/",
        data=json.dumps({"email": email, "password": password, "name": "attack"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), json.loads(refused.read())


def test_rotating_forwarded_for_does_not_escape_the_throttle_or_the_lockout(
    asgi_server: AsgiServer,
) -> None:
    person = UserFactory.create()

    answers = [
        _sign_in(asgi_server, person.email, f"guess-{n}", f"198.51.100.{n}") for n in range(40)
    ]
    final_status, final_body = _sign_in(asgi_server, person.email, TEST_PASSWORD, "198.51.100.99")

    # The 10th wrong password locks the account (at the default rate the throttle also refuses the 11th).
    assert [status for status, _ in answers[:9]] == [400] * 9
    assert {status for status, _ in answers[9:]} == {429}
    assert final_status == 429
    assert final_body["error"]["retry_after_seconds"] > 0
    assert person.access_tokens.count() == 0
