"""The whole story in a real browser against a real server: a person signs up, consents, makes an
ingest token, joins a challenge, starts the bridge's simulated athlete, brings the live workout into
a world, watches the avatar move, finds the finished workout scored with its charts, and sees the
challenge's leaderboard change: they overtake the rival who was ahead."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from challenges import services as challenge_services
from challenges.models import Challenge, Participant
from tests.frontend.helpers import DESKTOP, emailed_link, off_loop, screenshot, simulated_athlete
from tests.servers import AsgiServer, CeleryWorker
from tests.worlds.factories import WorldFactory
from wellness.people.models import User
from wellness.people.selectors import public_name
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_create_with_samples
from worlds.models import AvatarSession

pytestmark = pytest.mark.integration


def km(text: str) -> float:
    return float(text.removesuffix(" km"))


def rival_ahead(rival: User, worker: CeleryWorker) -> Challenge:
    """A distance challenge running today that the rival leads with a short, scored walk."""
    today = dt.datetime.now(dt.UTC).date()
    challenge = off_loop(
        lambda: challenge_services.challenge_create(
            user=rival,
            title="River kilometres",
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=10),
            goal_type="distance",
        )
    )
    off_loop(lambda: challenge_services.challenge_join(user=rival, challenge_id=challenge.pk))
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    off_loop(
        lambda: workout_create_with_samples(
            user=rival,
            sport="walk",
            indoor=False,
            source="file",
            started_at=start,
            ended_at=start + dt.timedelta(seconds=20),
            samples=[
                {"t": start.timestamp() + i, "speed": 1.0, "distance": 1.0 * i} for i in range(21)
            ],
        )
    )
    deadline = time.monotonic() + 60
    while not Participant.objects.filter(challenge=challenge, user=rival, progress__gt=0).exists():
        assert time.monotonic() < deadline, f"the rival's walk was not scored; {worker.log_path}"
        time.sleep(0.5)
    return challenge


def progress_of(page: Any, name: str) -> str:
    text: str = page.locator("tbody tr", has_text=name).locator("td").nth(1).inner_text()
    return text


def test_sign_up_stream_a_simulated_athlete_into_a_world_and_see_the_workout(
    asgi_server: AsgiServer,
    celery_worker: CeleryWorker,
    chromium: Any,
    other_user: User,
    tmp_path: Path,
) -> None:
    world = WorldFactory.create(name="Riverside", length_m=5_000)
    challenge = rival_ahead(other_user, celery_worker)
    rival = public_name(other_user.profile)
    page = chromium.new_page(viewport=DESKTOP)
    page.goto(f"{asgi_server.http_url}/signup")
    page.get_by_label("Display name").fill("Noor")
    page.get_by_label("Email").fill("noor@example.test")
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("status").filter(has_text="Check your inbox").wait_for()
    page.goto(emailed_link(asgi_server.log_path, "noor@example.test"))
    page.get_by_role("button", name="I consent").click()
    page.get_by_role("button", name="Withdraw consent").wait_for()
    page.get_by_role("link", name="Devices").click()
    page.get_by_label("Device name").fill("Simulator")
    page.get_by_role("button", name="Create ingest token").click()
    secret = page.locator("pre code").inner_text()
    page.goto(f"{asgi_server.http_url}/challenges/{challenge.pk}")
    page.get_by_role("button", name="Join this challenge").click()
    page.get_by_role("status").filter(has_text="You are ranked 2.").wait_for()
    assert page.locator("tbody th").all_inner_texts() == [rival, "Noor (you)"]
    assert progress_of(page, "Noor (you)") == "0 km"

    bridge = simulated_athlete(asgi_server.http_url, secret, tmp_path / "journal", duration=40)
    try:
        page.goto(f"{asgi_server.http_url}/worlds/{world.pk}")
        page.get_by_role("button", name="Enter this world with my live workout").click(
            timeout=20_000
        )
        hud = page.get_by_role("region", name="You")
        distance = hud.locator("dt", has_text="Distance").locator("xpath=following-sibling::dd[1]")
        distance.wait_for()
        page.wait_for_function(
            "el => parseFloat(el.textContent) > 0.01", arg=distance.element_handle(), timeout=20_000
        )
        first = km(distance.inner_text())
        page.wait_for_function(
            "([el, first]) => parseFloat(el.textContent) > first",
            arg=[distance.element_handle(), first],
            timeout=20_000,
        )
        second = km(distance.inner_text())
        screenshot(page, "e2e-world-athlete-desktop")
        assert page.locator("tr.me th").inner_text() == "Noor"
        output, _ = bridge.communicate(timeout=90)
    finally:
        if bridge.poll() is None:
            bridge.kill()
    user = User.objects.get(email="noor@example.test")
    workout = Workout.objects.get(user=user)
    session = AvatarSession.objects.get(user=user)

    assert bridge.returncode == 0, output.decode()
    assert second > first > 0
    assert workout.status == "finished"
    assert (session.world_id, session.workout_id) == (world.pk, workout.pk)
    assert session.distance_m >= second * 1000 - 1
    page.goto(f"{asgi_server.http_url}/workouts")
    page.get_by_role("link", name="Run").click()
    page.get_by_role("heading", name="Heart rate").wait_for()
    assert page.get_by_role("region", name="Summary").locator("dd").nth(4).inner_text() == "bridge"
    score = page.get_by_role("region", name="Score")
    score.locator("dt", has_text="points").wait_for(timeout=30_000)  # scored by the worker
    screenshot(page, "e2e-scored-workout-desktop")

    page.goto(f"{asgi_server.http_url}/challenges/{challenge.pk}")
    page.get_by_role("status").filter(has_text="You are ranked 1.").wait_for(timeout=30_000)
    assert page.locator("tbody th").all_inner_texts() == ["Noor (you)", rival]
    noor = km(progress_of(page, "Noor (you)"))
    assert noor == pytest.approx(session.distance_m / 1000, abs=0.02)
    assert noor > km(progress_of(page, rival)) == 0.02
    screenshot(page, "e2e-leaderboard-after-desktop")
