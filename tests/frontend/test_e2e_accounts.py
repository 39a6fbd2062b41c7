"""A person signs up, consents, fills in the profile and connects a device, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.frontend.helpers import DESKTOP, PHONE, axe_violations, emailed_link, screenshot
from tests.servers import AsgiServer
from wellness.people.models import AccessToken, Profile, User

pytestmark = pytest.mark.integration


def test_sign_up_consent_profile_and_device_token(asgi_server: AsgiServer, chromium: Any) -> None:
    page = chromium.new_page(viewport=PHONE)
    page.goto(f"{asgi_server.http_url}/signup")

    page.get_by_label("Display name").fill("Mira")
    page.get_by_label("Email").fill("mira@example.test")
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("status").filter(has_text="Check your inbox at mira@example.test").wait_for()
    page.goto(emailed_link(asgi_server.log_path, "mira@example.test"))
    page.get_by_role("heading", name="Profile and privacy").wait_for()
    page.get_by_role("button", name="I consent").click()
    page.get_by_role("button", name="Withdraw consent").wait_for()
    page.get_by_label("Resting heart rate (bpm)").fill("52")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Profile saved.").wait_for()
    page.get_by_role("link", name="Devices").click()
    page.get_by_label("Device name").fill("Chest strap")
    page.get_by_role("button", name="Create ingest token").click()
    secret = page.locator("pre code").inner_text()

    user = User.objects.get(email="mira@example.test")
    assert Profile.objects.get(user=user).resting_heart_rate == 52
    token = AccessToken.objects.get(user=user)
    assert (token.name, token.scope) == ("Chest strap", "ingest")
    assert secret.startswith(token.prefix)


def test_signing_up_with_a_registered_address_shows_the_same_answer(
    asgi_server: AsgiServer, chromium: Any, user: User
) -> None:
    page = chromium.new_page(viewport=PHONE)
    page.goto(f"{asgi_server.http_url}/signup")

    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("status").filter(has_text=f"Check your inbox at {user.email}").wait_for()
    assert page.get_by_label("Password").count() == 0
    screenshot(page, "signup-check-inbox-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "signup-check-inbox-desktop")
    assert axe_violations(page) == []
    assert User.objects.filter(email=user.email).count() == 1


def test_form_errors_are_shown_next_to_their_fields(asgi_server: AsgiServer, chromium: Any) -> None:
    page = chromium.new_page(viewport=DESKTOP)
    page.goto(f"{asgi_server.http_url}/signup")

    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("123")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("alert").filter(has_text="email").wait_for()
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/signup",
        "/confirm-email",
        "/profile",
        "/devices",
        "/companion",
        "/workouts/1/no-such-page",
    ],
)
def test_pages_have_no_serious_accessibility_violations(
    asgi_server: AsgiServer, chromium: Any, path: str, consenting_user: User
) -> None:
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    if path in ("/profile", "/devices", "/companion"):
        page.goto(f"{asgi_server.http_url}/login")
        page.get_by_label("Email").fill(consenting_user.email)
        page.get_by_label("Password").fill("correct-horse-battery-staple")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Hello").wait_for()
    page.goto(f"{asgi_server.http_url}{path}")
    page.locator("main h1").wait_for()

    violations = axe_violations(page)

    name = path.strip("/").replace("/", "-") or "home"
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    context.close()
