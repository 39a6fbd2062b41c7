"""Creating challenges in the browser: the goal types and their settings come from the API, team
challenges name their teams, and every refusal is shown next to its field with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from challenges.models import Challenge, Participant
from tests.frontend.helpers import DESKTOP, PHONE, axe_violations, screenshot, sign_in
from tests.servers import AsgiServer
from wellness.people.models import User

pytestmark = pytest.mark.integration


def challenges_page(chromium: Any, server: AsgiServer, user: User, viewport: dict[str, int]) -> Any:
    page = chromium.new_context(viewport=viewport).new_page()
    sign_in(page, server.http_url, user.email)
    page.goto(f"{server.http_url}/challenges")
    page.get_by_role("heading", name="Create a challenge").wait_for()
    return page


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def test_a_team_challenge_with_goal_settings_is_created_and_joined_in_a_chosen_team(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    page = challenges_page(chromium, asgi_server, consenting_user, DESKTOP)
    goals = page.get_by_label("Goal", exact=True)
    assert goals.locator("option").all_inner_texts() == [
        "Distance (km)",
        "Active minutes (min)",
        "Minutes in heart-rate zone 3+ (min)",
        "Yoga and mindful minutes (min)",
        "Training load (load)",
        "Points (points)",
        "Elevation gain (m)",
        "Active days (days)",
    ]
    assert page.get_by_label("Active minutes that make a day count").count() == 0

    page.get_by_label("Title").fill("Otters and herons")
    page.get_by_label("Ends on").fill(in_days(30))
    goals.select_option("streak_days")
    setting = page.get_by_label("Active minutes that make a day count")
    assert setting.input_value() == "10"
    setting.fill("25")
    assert page.get_by_label("Target (optional, in days)").count() == 1
    page.get_by_label("Target (optional, in days)").fill("20")
    page.get_by_label("Mode").select_option("team")
    page.get_by_label("Teams (one name per line)").fill("Otters\nHerons\n")
    page.get_by_label("Run").check()
    page.get_by_label("Walk").check()
    assert axe_violations(page) == []
    screenshot(page, "challenge-form-team-desktop")
    page.get_by_role("button", name="Create challenge").click()

    page.get_by_role("heading", name="Otters and herons").wait_for()
    challenge = Challenge.objects.get(title="Otters and herons")
    assert (challenge.mode, challenge.goal_type, challenge.goal_params) == (
        "team",
        "streak_days",
        {"min_active_minutes": 25.0},
    )
    assert challenge.sports == ["run", "walk"]
    assert sorted(challenge.teams.values_list("name", flat=True)) == ["Herons", "Otters"]
    about = page.get_by_role("region", name="About")
    about.get_by_text("team (Otters, Herons)").or_(
        about.get_by_text("team (Herons, Otters)")
    ).wait_for()
    about.get_by_text("Active minutes that make a day count").wait_for()

    page.get_by_label("Your team").select_option(label="Herons")
    page.get_by_role("button", name="Join this challenge").click()
    page.get_by_role("status").filter(has_text="You are ranked 1.").wait_for()
    teams = page.get_by_role("region", name="Teams")
    teams.locator("tbody tr").first.wait_for()
    joined = Participant.objects.select_related("team").get(
        challenge=challenge, user=consenting_user
    )
    assert joined.team is not None
    assert joined.team.name == "Herons"
    assert teams.locator("tbody th").all_inner_texts() == ["Herons"]  # teams with members
    assert page.get_by_label("Your team").is_hidden()
    assert axe_violations(page) == []
    screenshot(page, "challenge-team-desktop")


def test_a_goal_setting_below_its_minimum_is_refused_next_to_it_before_sending(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    page = challenges_page(chromium, asgi_server, consenting_user, PHONE)
    page.get_by_label("Title").fill("Too easy")
    page.get_by_label("Ends on").fill(in_days(10))
    page.get_by_label("Goal", exact=True).select_option("streak_days")
    setting = page.get_by_label("Active minutes that make a day count")
    setting.fill("-5")

    page.get_by_role("button", name="Create challenge").click()

    message = page.locator(f"#{setting.get_attribute('aria-describedby')}")
    message.get_by_text("Active minutes that make a day count: at least 0.").wait_for()
    assert setting.get_attribute("aria-invalid") == "true"
    page.get_by_role("alert").filter(has_text="Check the goal settings.").wait_for()
    screenshot(page, "challenge-form-error-phone")
    assert not Challenge.objects.exists()


def test_a_team_challenge_without_teams_is_refused_next_to_the_teams_field(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    page = challenges_page(chromium, asgi_server, consenting_user, DESKTOP)
    page.get_by_label("Title").fill("Lonely teams")
    page.get_by_label("Ends on").fill(in_days(10))
    page.get_by_label("Mode").select_option("team")

    page.get_by_role("button", name="Create challenge").click()

    page.locator("#f-teams-error").get_by_text(
        "A team challenge needs at least one team."
    ).wait_for()
    assert page.get_by_label("Teams (one name per line)").get_attribute("aria-invalid") == "true"
    assert not Challenge.objects.exists()
