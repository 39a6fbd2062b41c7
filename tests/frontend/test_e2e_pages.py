"""Every signed-in page in a real browser: what it shows, no serious accessibility violation,
keyboard use, and screenshots at phone and desktop sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from challenges import services as challenge_services
from challenges.models import Challenge
from tests.frontend.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    off_loop,
    recorded_run,
    screenshot,
    sign_in,
)
from tests.servers import AsgiServer
from tests.worlds.factories import WorldFactory
from wellness.people.models import Profile, User
from wellness.people.selectors import public_name

pytestmark = pytest.mark.integration


def signed_in_page(chromium: Any, server: AsgiServer, user: User, viewport: dict[str, int]) -> Any:
    page = chromium.new_context(viewport=viewport).new_page()
    sign_in(page, server.http_url, user.email)
    return page


def test_signed_in_pages_have_no_serious_accessibility_violations(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    workout = recorded_run(consenting_user)
    world = WorldFactory.create(name="Audit valley", length_m=2_000, climb_per_m=0.03)
    challenge = off_loop(
        lambda: challenge_services.challenge_create(
            user=consenting_user,
            title="November kilometres",
            starts_on=dt.date(2026, 11, 1),
            ends_on=dt.date(2026, 11, 30),
            goal_type="distance",
        )
    )
    off_loop(lambda: challenge_services.community_create(user=consenting_user, name="Lake runners"))
    page = signed_in_page(chromium, asgi_server, consenting_user, DESKTOP)
    paths = {
        "dashboard": ("/", "Hello"),
        "workouts": ("/workouts", "Workouts"),
        "workout": (f"/workouts/{workout.pk}", "Run"),
        "challenges": ("/challenges", "Challenges"),
        "challenge": (f"/challenges/{challenge.pk}", "November kilometres"),
        "communities": ("/communities", "Communities"),
        "worlds": ("/worlds", "Worlds"),
        "world": (f"/worlds/{world.pk}", "Audit valley"),
    }
    found: dict[str, list[tuple[str, str]]] = {}
    for name, (path, heading) in paths.items():
        page.set_viewport_size(DESKTOP)
        page.goto(f"{asgi_server.http_url}{path}")
        page.get_by_role("heading", name=heading).first.wait_for()
        page.wait_for_timeout(300)  # charts and polled tables draw after the heading
        found[name] = [(v["id"], v["help"]) for v in axe_violations(page)]
        screenshot(page, f"{name}-desktop")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(100)
        screenshot(page, f"{name}-phone")

    assert found == {name: [] for name in paths}


def test_workout_detail_shows_summary_zones_charts_and_exports(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    Profile.objects.filter(user=consenting_user).update(max_heart_rate=190)
    workout = recorded_run(consenting_user)
    page = signed_in_page(chromium, asgi_server, consenting_user, DESKTOP)

    page.goto(f"{asgi_server.http_url}/workouts/{workout.pk}")

    page.get_by_role("heading", name="Heart-rate zones").wait_for()
    page.locator(".chart canvas").first.wait_for()
    summary = page.get_by_role("region", name="Summary")
    assert summary.locator("dd").all_inner_texts()[:2] == ["9:59", "1.80 km"]
    assert page.locator("figcaption h2").all_inner_texts() == [
        "Heart rate",
        "Pace",
        "Cadence",
        "Elevation",
    ]
    assert page.locator(".chart canvas").count() == 4
    zone_rows = page.get_by_role("region", name="Heart-rate zones").locator("tbody th")
    assert zone_rows.all_inner_texts() == [f"Zone {i}" for i in range(1, 6)]
    assert page.get_by_role("link", name="This workout's samples (JSON)").get_attribute("href") == (
        f"/api/v1/workouts/{workout.pk}/samples/"
    )


def test_another_persons_workout_is_not_found(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User, other_user: User
) -> None:
    theirs = recorded_run(other_user)
    page = signed_in_page(chromium, asgi_server, consenting_user, PHONE)

    page.goto(f"{asgi_server.http_url}/workouts/{theirs.pk}")

    page.get_by_role("heading", name="Workout not found").wait_for()
    assert page.get_by_text("Heart rate").count() == 0


def test_a_challenge_is_created_and_joined_by_keyboard_and_its_leaderboard_shows_me(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    page = signed_in_page(chromium, asgi_server, consenting_user, PHONE)
    page.goto(f"{asgi_server.http_url}/challenges")
    page.get_by_label("Title").focus()

    page.keyboard.type("Winter steps")
    page.keyboard.press("Tab")  # description
    page.keyboard.press("Tab")  # starts on (today)
    page.keyboard.press("Tab")  # ends on
    page.get_by_label("Ends on").fill(
        (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=20)).isoformat()
    )
    page.get_by_label("Ends on").press("Enter")
    page.get_by_role("heading", name="Winter steps").wait_for()
    page.get_by_role("button", name="Join this challenge").focus()
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(has_text="You are ranked 1.").wait_for()
    challenge = Challenge.objects.get(title="Winter steps")
    assert list(challenge.participants.values_list("user_id", flat=True)) == [consenting_user.pk]
    assert page.locator("tbody th").all_inner_texts() == [
        f"{public_name(consenting_user.profile)} (you)"
    ]


def test_a_challenge_with_an_end_before_its_start_is_refused_next_to_the_field(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    page = signed_in_page(chromium, asgi_server, consenting_user, DESKTOP)
    page.goto(f"{asgi_server.http_url}/challenges")

    page.get_by_label("Title").fill("Backwards")
    page.get_by_label("Starts on").fill("2026-12-10")
    page.get_by_label("Ends on").fill("2026-12-01")
    page.get_by_role("button", name="Create challenge").click()

    page.get_by_text("The challenge must end on or after the day it starts.").wait_for()
    assert page.get_by_label("Ends on").get_attribute("aria-invalid") == "true"
    assert not Challenge.objects.exists()
