"""Types shared by the tests (fixtures live in conftest.py, factories in factories.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import UserFactory
from wellness.people.models import User

if TYPE_CHECKING:
    # What the test client's requests return (a response with .json()), named only in the stubs.
    from rest_framework.response import _MonkeyPatchedResponse as TestResponse

__all__ = [
    "ClientFor",
    "TestResponse",
    "admin_browser",
    "channel_layer",
    "memory_layer",
    "post_with_token",
]


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


def admin_browser() -> tuple[User, Client]:
    """A superuser signed in to the admin with their authenticator app (the admin requires it)."""
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, confirmed=True)
    browser = Client()
    browser.force_login(staff)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return staff, browser


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
