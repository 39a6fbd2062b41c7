"""The live world view in a real browser: ticks from the server move the athlete, events become
toasts, a finish shows the results, and 1,000 avatars keep animating (the 50 frames-per-second
goal is measured by ``python -m benchmarks world_view``)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.db import connection

from tests.factories import WorkoutFactory
from tests.frontend.helpers import DESKTOP, PHONE, axe_violations, screenshot, sign_in
from tests.helpers import channel_layer
from tests.servers import AsgiServer
from tests.worlds.factories import WorldFactory
from wellness.people.models import User
from wellness.people.selectors import public_name
from worlds import services
from worlds.models import AvatarSession

pytestmark = pytest.mark.integration

# The goal (50 fps with 1,000 avatars) is a speed target, checked by the world_view benchmark on
# a machine left to it. In this suite the browser shares two cores with the server and the other
# tests, where software WebGL has measured 32-60 fps for the same page; the floor here catches a
# view that stalls or redraws far too much, not a missed goal.
FRAMES_PER_SECOND_FLOOR = 15
T = TypeVar("T")


def publish_samples(workout_id: int, user_id: int, samples: list[dict[str, float]]) -> None:
    """Publish a stored batch exactly as the ingest consumer does (in a thread of its own: the
    Playwright sync API keeps an event loop running in the test's thread)."""

    async def send() -> None:
        await channel_layer().group_send(
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
    world = WorldFactory.create(
        name="Fountain loop",
        length_m=300,
        landmarks=[{"name": "Fountain", "distance_m": 100, "story": "Cold water."}],
    )
    session = off_loop(
        lambda: services.session_start(
            user=consenting_user,
            world_id=world.pk,
            workout_id=WorkoutFactory.create(user=consenting_user).pk,
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


NO_WEBGL = """
(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return String(type).includes("webgl") ? null : original.call(this, type, ...rest);
    };
})();
"""

CANVAS_COLOURS = """async () => {
    // Read the 3D frame back right after the page's own frame drew it (same animation frame).
    await new Promise((done) => requestAnimationFrame(done));
    const canvas = document.querySelector(".world-canvas canvas");
    const gl = canvas.getContext("webgl2");
    const [w, h] = [gl.drawingBufferWidth, gl.drawingBufferHeight];
    const pixels = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    const colours = new Set();
    for (let i = 0; i < pixels.length; i += 4 * 97) colours.add(pixels.slice(i, i + 3).join());
    return colours.size;
}"""


def with_synthetic_avatars(page: Any, count: int, length_m: float) -> None:
    """The world's socket as the server sends it, with ``count`` avatars spread along the route
    added to each snapshot: a crowd for the view without a thousand real sessions."""
    crowd = [
        {"id": -1 - i, "name": f"Synthetic {i + 1}", "sport": "run", "d": length_m * i / count,
         "v": 2 + (i % 7) * 0.3, "t": time.time(), "lap": 1, "grade": 0, "finished": False}
        for i in range(count)
    ]  # fmt: skip

    def route(socket: Any) -> None:
        server = socket.connect_to_server()

        def forward(message: str | bytes) -> None:
            data = json.loads(message)
            if data.get("type") == "snapshot":
                data["avatars"] = [*data["avatars"], *crowd]
            socket.send(json.dumps(data))

        server.on_message(forward)

    page.route_web_socket(re.compile(r"/ws/v1/worlds/"), route)


def view_of(page: Any) -> str | None:
    result: str | None = page.locator(".world-canvas").get_attribute("data-view")
    return result


def wait_for_view(page: Any, mode: str) -> None:
    page.locator(f".world-canvas[data-view='{mode}'] canvas").wait_for()


def measure_fps(page: Any, seconds: float = 3.0) -> float:
    fps: float = page.evaluate(
        """async (seconds) => {
            const stats = window.__worldStats;
            const frames = stats.frames, since = performance.now();
            await new Promise((done) => setTimeout(done, seconds * 1000));
            return (stats.frames - frames) / ((performance.now() - since) / 1000);
        }""",
        seconds,
    )
    return fps


def test_the_3d_landscape_opens_where_webgl_exists_and_the_keyboard_choice_is_remembered(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    world = WorldFactory.create(
        name="Summit ridge",
        length_m=3_000,
        climb_per_m=0.04,
        biome="mountain",
        landmarks=[{"name": "Cairn", "distance_m": 60, "story": "Add a stone."}],
    )
    page = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    with_synthetic_avatars(page, 40, length_m=3_000)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}")
    wait_for_view(page, "3d")
    toggle = page.get_by_role("button", name="3D view")

    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate(
        "document.querySelector('.world-canvas canvas').getContext('webgl2') !== null"
    )
    page.wait_for_timeout(500)
    assert page.evaluate(CANVAS_COLOURS) > 20  # sky, terrain, path, scenery, avatars: a picture
    assert axe_violations(page) == []
    screenshot(page, "world-3d-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    canvas_width = page.locator(".world-canvas canvas").bounding_box()["width"]
    assert canvas_width <= PHONE["width"]
    screenshot(page, "world-3d-phone")
    page.set_viewport_size(DESKTOP)

    toggle.focus()
    page.keyboard.press("Enter")
    wait_for_view(page, "2d")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.evaluate("document.querySelector('.world-canvas canvas').getContext('2d') !== null")

    page.reload()
    wait_for_view(page, "2d")  # remembered in this browser
    page.get_by_role("button", name="3D view").focus()
    page.keyboard.press("Space")
    wait_for_view(page, "3d")
    page.reload()
    wait_for_view(page, "3d")
    assert page.evaluate("localStorage.getItem('wellverse:world-view')") == "3d"


def test_without_webgl_the_2d_map_is_shown_and_the_page_says_why(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    world = WorldFactory.create(name="Flat fields", length_m=2_000)
    context = chromium.new_context(viewport=PHONE)
    context.add_init_script(NO_WEBGL)
    context.add_init_script("localStorage.setItem('wellverse:world-view', '3d')")
    page = context.new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    with_synthetic_avatars(page, 20, length_m=2_000)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}")
    wait_for_view(page, "2d")

    toggle = page.get_by_role("button", name="3D view")
    assert toggle.is_disabled()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.locator("#view-note").inner_text() == (
        "The 3D view needs WebGL 2, which this browser does not offer: showing the 2D map."
    )
    frames = page.evaluate("window.__worldStats.frames")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__worldStats.frames") > frames  # the 2D map keeps drawing
    assert axe_violations(page) == []
    screenshot(page, "world-no-webgl-phone")


def test_a_lost_webgl_context_falls_back_to_the_2d_map(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    world = WorldFactory.create(name="Brittle hills", length_m=2_000, biome="desert")
    page = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}?view=3d")
    wait_for_view(page, "3d")

    page.evaluate(
        "document.querySelector('.world-canvas canvas').getContext('webgl2')"
        ".getExtension('WEBGL_lose_context').loseContext()"
    )

    wait_for_view(page, "2d")
    assert "took its graphics context back" in page.locator("#view-note").inner_text()


@pytest.mark.parametrize("mode", ["2d", "3d"])
def test_the_world_view_keeps_animating_1000_avatars(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User, mode: str
) -> None:
    world = WorldFactory.create(name="Crowded valley", length_m=5_000, climb_per_m=0.02)
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server.http_url, consenting_user.email)
    with_synthetic_avatars(page, 1000, length_m=5_000)
    page.goto(f"{asgi_server.http_url}/worlds/{world.pk}?view={mode}")
    page.get_by_role("status").filter(has_text="1000 athletes in Crowded valley").wait_for()
    wait_for_view(page, mode)
    # Past the first layout and JIT warm-up; the 3D view also settles its resolution (it renders
    # fewer pixels while frames are slow, see ResolutionGovernor in frontend/src/worlds/scene3d.ts).
    page.wait_for_timeout(500 if mode == "2d" else 5000)

    fps = measure_fps(page)

    print(f"\nworld view ({mode}), 1,000 synthetic avatars, headless Chromium: {fps:.1f} fps")
    assert fps >= FRAMES_PER_SECOND_FLOOR
