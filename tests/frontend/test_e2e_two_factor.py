"""Two-factor authentication in a real browser: enrol an authenticator app, sign out, sign in with
its code, then with a recovery code; a staff account without a second factor cannot reach the admin."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import totp

from tests.factories import TEST_PASSWORD, UserFactory
from tests.frontend.helpers import PHONE, axe_violations, screenshot
from tests.servers import AsgiServer

pytestmark = pytest.mark.integration


def _code(secret: str, drift: int = 0) -> str:
    return f"{totp(base64.b32decode(secret), drift=drift):06d}"


def _submit_password(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in", exact=True).wait_for()


def test_enrol_sign_in_with_a_code_and_with_a_recovery_code(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    person = UserFactory.create()
    page = chromium.new_page(viewport=PHONE)
    _submit_password(page, asgi_server.http_url, person.email)
    page.get_by_role("heading", name="Hello").wait_for()

    page.get_by_role("link", name="Security").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("[data-secret]").get_attribute("data-secret")
    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.locator("[data-two-factor=on]").wait_for()
    codes = page.get_by_role("list", name="Recovery codes").locator("li").all_inner_texts()
    assert axe_violations(page) == []
    screenshot(page, "two-factor-enrolled-360")
    _sign_out(page)

    _submit_password(page, asgi_server.http_url, person.email)
    page.get_by_label("Authentication code or recovery code").fill(_code(secret, drift=1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()
    _sign_out(page)

    _submit_password(page, asgi_server.http_url, person.email)
    page.get_by_label("Authentication code or recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()
    page.get_by_role("link", name="Security").click()

    page.get_by_text("Recovery codes left: 9.").wait_for()
    assert len(codes) == 10


def test_staff_without_two_factor_cannot_reach_the_admin(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=PHONE)
    _submit_password(page, asgi_server.http_url, staff.email)
    page.get_by_role("heading", name="Two-factor authentication").wait_for()

    page.goto(f"{asgi_server.http_url}/admin/")

    assert "/admin/login/" in page.url
    assert page.get_by_role("link", name="Users").count() == 0
