"""The live world view in a real browser: ticks from the server move the athlete, events become
toasts, a finish shows the results, and 1,000 avatars stay above 50 frames per second."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from channels.layers import get_channel_layer
from django.db import connection

from tests.conftest import AsgiServer
from tests.frontend.conftest import DESKTOP, PHONE, axe_violations, screenshot, sign_in
from tests.worlds.factories import live_workout, make_world
from wellness.models import User
from wellness.selectors import public_name
from worlds import services
from worlds.models import AvatarSession

pytestmark = pytest.mark.integration

FRAMES_PER_SECOND_GOAL = 50
T = TypeVar("T")


def publish_samples(workout_id: int, user_id: int, samples: list[dict[str, float]]) -> None:
    """Publish a stored batch exactly as the ingest consumer does (in a thread of its own: the
    Playwright sync API keeps an event loop running in the test's thread)."""

    async def send() -> None:
        await get_channel_layer().group_send(
            f"workout-{workout_id}",
            {
                "type": "workout.samples",
                "workout_id": workout_id,
                "user_id": user_id,
                "samples": samples,
            },
        )

    thread = threading.Thread(target=lambda: asyncio.run(send()))
    thread.start()
    thread.join()


def off_loop(call: Callable[[], T]) -> T:
    """Run a service that broadcasts on commit (async_to_sync inside) away from Playwright's loop."""
    box: list[T] = []

    def run() -> None:
        try:
            box.append(call())
        finally:
            connection.close()  # the thread's own connection, or the test database cannot be dropped

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return box[0]


def test_the_athlete_sees_their_avatar_move_pass_a_landmark_and_finish(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    world = make_world(
        name="Fountain loop",
        length_m=300,
        landmarks=[{"name": "Fountain", "distance_m": 100, "story": "Cold water."}],
    )
    session = off_loop(
        lambda: services.session_start(
            user=consenting_user,
            world_id=world.pk,
            workout_id=live_workout(consenting_user),
            sport="run",
        )
    )
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}")
    page.get_by_role("status").filter(has_text="1 athlete in Fountain loop").wait_for()

    first = [{"t": 1_700_000_000.0 + i, "hr": 150, "speed": 4.0} for i in range(31)]
    for _ in range(
        10
    ):  # until the ticker (started by this page's socket) has joined the workout's group
        publish_samples(session.workout_id, consenting_user.pk, first)
        try:
            page.get_by_text("You passed Fountain.").wait_for(timeout=1500)
            break
        except Exception:
            continue
    hud = page.get_by_role("region", name="You")
    hud.get_by_text("0.12 km").wait_for()
    position = hud.locator("dt", has_text="Position").locator("xpath=following-sibling::dd[1]")
    assert position.inner_text() == "1st of 1"
    assert page.locator(".toasts").get_attribute("aria-live") == "polite"
    screenshot(page, "world-live-desktop")

    rest = [{"t": 1_700_000_031.0 + i, "hr": 160, "speed": 4.0} for i in range(60)]
    publish_samples(session.workout_id, consenting_user.pk, rest)
    results = page.get_by_role("region", name="Results")
    results.get_by_text("You finished 1st of 1 in").wait_for(timeout=5000)
    assert results.locator("tbody th").all_inner_texts() == [public_name(consenting_user.profile)]
    assert AvatarSession.objects.get(pk=session.pk).status == "finished"
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    screenshot(page, "world-live-phone")


def test_the_world_view_draws_1000_avatars_at_50_frames_per_second(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    world = make_world(name="Crowded valley", length_m=5_000, climb_per_m=0.02)
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}?synthetic=1000")
    page.get_by_role("status").filter(has_text="athletes in Crowded valley").wait_for()
    page.wait_for_timeout(500)  # past the first layout and JIT warm-up

    fps = page.evaluate(
        """async () => {
            const stats = window.__worldStats;
            const frames = stats.frames, since = performance.now();
            await new Promise((done) => setTimeout(done, 3000));
            return (stats.frames - frames) / ((performance.now() - since) / 1000);
        }"""
    )

    print(f"\nworld view, 1,000 synthetic avatars, headless Chromium: {fps:.1f} frames per second")
    assert fps >= FRAMES_PER_SECOND_GOAL
