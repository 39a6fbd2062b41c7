"""Types shared by the tests (fixtures live in conftest.py, factories in factories.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from rest_framework.test import APIClient

from wellness.people.models import User

if TYPE_CHECKING:
    # What the test client's requests return (a response with .json()), named only in the stubs.
    from rest_framework.response import _MonkeyPatchedResponse as TestResponse

__all__ = ["ClientFor", "TestResponse", "channel_layer", "memory_layer", "post_with_token"]


def channel_layer() -> BaseChannelLayer:
    """The configured channel layer (the settings always configure one)."""
    layer = get_channel_layer()
    assert layer is not None
    return layer


def memory_layer() -> InMemoryChannelLayer:
    """The in-memory layer of the embedded test settings, for tests that look inside it."""
    layer = get_channel_layer()
    assert isinstance(layer, InMemoryChannelLayer)
    return layer


# The ``client_for`` fixture: an API client signed in as that user.
ClientFor = Callable[[User], APIClient]


def post_with_token(url: str, secret: str, body: dict[str, Any]) -> int:
    """POST ``body`` as JSON to a running server with a bearer token; the status code (for the
    parallel-request tests, which call it from threads)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
