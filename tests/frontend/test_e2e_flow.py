"""The whole story in a real browser against a real server: a person signs up, consents, makes an
ingest token, starts the bridge's simulated athlete, brings the live workout into a world, watches
the avatar move, and finds the finished workout with its charts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, AsgiServer
from tests.frontend.conftest import DESKTOP, screenshot
from tests.worlds.factories import make_world
from wellness.models import User, Workout
from worlds.models import AvatarSession

pytestmark = pytest.mark.integration


def km(text: str) -> float:
    return float(text.removesuffix(" km"))


def test_sign_up_stream_a_simulated_athlete_into_a_world_and_see_the_workout(
    asgi_server: AsgiServer, chromium: Any, tmp_path: Path
) -> None:
    world = make_world(name="Riverside", length_m=5_000)
    page = chromium.new_page(viewport=DESKTOP)
    page.goto(f"{asgi_server.http_url}/signup")
    page.get_by_label("Display name").fill("Noor")
    page.get_by_label("Email").fill("noor@example.test")
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="I consent").click()
    page.get_by_role("button", name="Withdraw consent").wait_for()
    page.get_by_role("link", name="Devices").click()
    page.get_by_label("Device name").fill("Simulator")
    page.get_by_role("button", name="Create ingest token").click()
    secret = page.locator("pre code").inner_text()

    bridge = subprocess.Popen(
        [
            sys.executable, "-m", "devices.bridge", "simulate", "--profile", "run",
            "--server", asgi_server.http_url, "--token", secret, "--duration", "40",
            "--speed", "1", "--journal", str(tmp_path / "journal"),
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
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
