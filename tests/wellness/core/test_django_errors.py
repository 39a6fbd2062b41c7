"""Django's own refusals, raised before or outside a DRF view, keep the API's error format.

Driven through the real ASGI application (``wellness.config.asgi``), with its middleware.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator

from tests.factories import UserFactory
from wellness.config.asgi import application
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create

pytestmark = pytest.mark.django_db(transaction=True)


async def _request(
    method: str, path: str, *, host: bytes = b"localhost", body: bytes = b"", **headers: bytes
) -> tuple[int, dict[str, Any]]:
    head = [(b"host", host), (b"content-length", str(len(body)).encode())]
    head += [(k.replace("_", "-").encode(), v) for k, v in headers.items()]
    response = await HttpCommunicator(
        application, method, path, body=body, headers=head
    ).get_response(timeout=30)
    return response["status"], json.loads(response["body"])


async def test_a_bad_host_header_is_a_json_400() -> None:
    status, body = await _request("GET", "/api/v1/me/", host=b"evil.example")

    assert status == 400
    assert body == {
        "error": {"code": "bad_request", "message": "The request is malformed.", "fields": {}}
    }


def _bearer() -> tuple[User, bytes]:
    user = UserFactory.create()
    _, secret = access_token_create(user=user, name="script", scope=TokenScope.API)
    return user, f"Bearer {secret}".encode()


async def test_a_json_body_over_the_upload_limit_is_a_json_413(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    user, bearer = await sync_to_async(_bearer)()
    body = json.dumps({"display_name": "x" * 2000}).encode()

    status, reply = await _request(
        "PATCH", "/api/v1/me/", body=body, content_type=b"application/json", authorization=bearer
    )

    assert status == 413
    assert reply["error"]["code"] == "payload_too_large"
    assert reply["error"]["fields"] == {}
    assert "1000 bytes" in reply["error"]["message"]
    profile = await sync_to_async(lambda: User.objects.get(pk=user.pk).profile.display_name)()
    assert profile != "x" * 2000


async def test_a_form_over_the_upload_limit_is_a_json_413(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _, bearer = await sync_to_async(_bearer)()
    body = b"display_name=" + b"x" * 2000

    status, reply = await _request(
        "PATCH",
        "/api/v1/me/",
        body=body,
        content_type=b"application/x-www-form-urlencoded",
        authorization=bearer,
    )

    assert status == 413
    assert reply["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/elsewhere", "/api/v2/me/"])
async def test_unknown_paths_under_api_are_json_404s(path: str) -> None:
    status, body = await _request("GET", path)

    assert status == 404
    assert body == {
        "error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}
    }
