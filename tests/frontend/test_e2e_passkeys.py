"""A passkey in a real browser, with Chromium's virtual authenticator (DevTools protocol): add one on
the security page, sign out, sign in with the password and then the passkey."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.frontend.helpers import DESKTOP, PHONE, axe_violations, screenshot
from tests.servers import AsgiServer, asgi_server_start, asgi_server_stop
from wellness.people.models import Passkey

pytestmark = pytest.mark.integration


@pytest.fixture
def asgi_server(
    transactional_db: None, _redis_flushed: None, tmp_path: Path
) -> Iterator[AsgiServer]:
    """The server, its passkeys bound to ``localhost`` (WebAuthn's secure context over http)."""
    server = asgi_server_start(
        tmp_path / "uvicorn.log",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        WELLVERSE_WEBAUTHN_RP_ID="localhost",
    )
    yield server
    asgi_server_stop(server)


def _password(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_add_a_passkey_then_sign_in_with_password_and_passkey(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    person = UserFactory.create()
    base_url = asgi_server.http_url.replace("127.0.0.1", "localhost")
    page = chromium.new_page(viewport=PHONE)
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    _password(page, base_url, person.email)
    page.get_by_role("heading", name="Hello").wait_for()

    page.get_by_role("link", name="Security").click()
    page.get_by_label("Passkey name").fill("This phone")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_role("button", name="Delete passkey This phone").wait_for()
    page.locator("[data-two-factor=on]").wait_for()
    assert page.get_by_role("list", name="Recovery codes").locator("li").count() == 10
    assert axe_violations(page) == []
    screenshot(page, "passkeys-360")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "passkeys-1280")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in", exact=True).wait_for()

    _password(page, base_url, person.email)
    page.get_by_role("button", name="Use a passkey").click()
    page.get_by_role("heading", name="Hello").wait_for()

    passkey = Passkey.objects.get(user=person)
    assert passkey.name == "This phone"
    assert passkey.last_used_at is not None
