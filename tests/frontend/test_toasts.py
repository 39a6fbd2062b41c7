"""Badges, levels and announcements reach the person on whatever page is open: the notifications
socket's events become polite toasts (announced by screen readers without interrupting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from challenges import services as challenge_services
from challenges.models import BadgeAward
from tests.frontend.helpers import (
    DESKTOP,
    axe_violations,
    off_loop,
    recorded_run,
    screenshot,
    sign_in,
)
from tests.servers import AsgiServer, CeleryWorker
from tests.worlds.factories import WorldFactory
from wellness.people.models import User

pytestmark = pytest.mark.integration


def test_a_badge_earned_by_a_scored_workout_shows_as_a_polite_toast_in_the_world_view(
    asgi_server: AsgiServer, celery_worker: CeleryWorker, chromium: Any, consenting_user: User
) -> None:
    world = WorldFactory.create(name="Badge hill", length_m=2_000)
    page = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}")
    page.get_by_role("status").filter(has_text="athletes in Badge hill").wait_for()
    page.wait_for_function("() => document.querySelector('.world-canvas canvas') !== null")
    assert not BadgeAward.objects.filter(user=consenting_user).exists()

    recorded_run(consenting_user)  # finished: the worker scores it and awards the first badge

    toasts = page.locator("#toasts")
    toasts.get_by_text("Badge earned: First workout.").wait_for(timeout=30_000)
    assert toasts.get_attribute("aria-live") == "polite"
    assert page.locator("#toasts .toast-badge").count() == 1
    assert list(BadgeAward.objects.filter(user=consenting_user).values_list("badge", "tier")) == [
        ("first_workout", 1)
    ]
    assert axe_violations(page) == []
    screenshot(page, "toast-badge-world-desktop")


def test_an_organizers_announcement_shows_on_any_page_after_navigating(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User, other_user: User
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    challenge = off_loop(
        lambda: challenge_services.challenge_create(
            user=other_user,
            title="Lantern month",
            starts_on=today,
            ends_on=today + dt.timedelta(days=20),
            goal_type="distance",
        )
    )
    off_loop(
        lambda: challenge_services.challenge_join(user=consenting_user, challenge_id=challenge.pk)
    )
    page = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.get_by_role("link", name="Challenges").click()  # a client-side navigation keeps the socket
    page.get_by_role("heading", name="Challenges", exact=True).wait_for()
    page.wait_for_timeout(500)  # the socket opened at sign-in; give it time to join the group

    sent = off_loop(
        lambda: challenge_services.challenge_announce(
            user=other_user, challenge_id=challenge.pk, message="Lanterns at the bridge tonight."
        )
    )

    page.locator("#toasts").get_by_text("Lantern month: Lanterns at the bridge tonight.").wait_for(
        timeout=10_000
    )
    assert sent == 1
