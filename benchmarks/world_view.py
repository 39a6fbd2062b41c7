"""Frames per second of the live world view with 1,000 avatars in headless Chromium.

The app's renderers and per-frame work, on the benchmark-only page ``frontend/bench/world-view.html``
(built into ``frontend/dist-bench/``, which Django never serves: this benchmark hands it to its own
browser on the server's origin) with 1,000 synthetic avatars on a world's route from a real server
(uvicorn, a scratch SQLite database in a temporary directory, the in-memory channel layer), driven
by Debian's Chromium with the flags the end-to-end tests use (``--disable-gpu``: the 3D view runs on
SwiftShader, software WebGL). Each view is measured beside its straightforward baseline on the same
page, data and browser, selected with ``renderer=naive`` (``frontend/bench/naive.ts`` and
``frontend/bench/naive3d.ts``):

* 2D: the map and profile drawn once into an offscreen canvas, avatars as rectangles, against
  redrawing the route, the profile and every avatar with its own path, fill and name each frame;
* 3D: one instanced mesh for the crowd (one draw call), against one mesh per avatar.

The 3D view lowers its resolution while frames are slow (``ResolutionGovernor`` in
``frontend/src/worlds/scene3d.ts``). It is measured as shipped (with the share of full resolution it
settled on) and, to compare the renderers alone, both 3D renderers also at fixed full resolution
(``resolution=full``). Frames are counted by the page itself (``window.__worldStats``) after a
warm-up.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import Figure, figure
from benchmarks._chromium import CHROMIUM, chromium_launch
from benchmarks._server import wait_until_serving

DESCRIPTION = (
    "world_view: frames per second of the live world view (2D and 3D) with 1,000 avatars in "
    "headless Chromium, against naive renderers"
)
NAME = "world_view"
ROOT = Path(__file__).resolve().parent.parent
BENCH_PAGE = ROOT / "frontend" / "dist-bench"
AVATARS = 1_000
EMAIL = "viewer@bench.wellverse.test"
GOAL_FPS = 50


def _setup(password: str) -> None:
    """Run in a subprocess with the scratch settings: a viewer and a world; print the world id."""
    import django

    django.setup()
    from benchmarks._routes import straight_north
    from wellness.people.services import user_sign_up
    from worlds import services as worlds_services
    from worlds.gpx import gpx_write

    user_sign_up(email=EMAIL, password=password)
    world = worlds_services.world_create_from_gpx(
        owner=None,
        name="Benchmark valley",
        gpx=gpx_write(straight_north(5_000, climb_per_m=0.02)),
        biome="countryside",
    )
    print(json.dumps({"world_id": world.pk}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _measure(base: str, world_id: int, password: str, sizes: dict[str, float]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = chromium_launch(playwright)
        # No service worker: it would answer the navigations this benchmark serves itself.
        page = browser.new_page(viewport={"width": 1280, "height": 800}, service_workers="block")
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Hello").wait_for()
        # The benchmark's page and assets on the server's origin (its session cookie, its API).
        page.route(
            f"{base}/bench/**",
            lambda route: route.fulfill(
                path=BENCH_PAGE / urlsplit(route.request.url).path.removeprefix("/bench/")
            ),
        )
        runs = {
            "2d": "view=2d",
            "2d-naive": "view=2d&renderer=naive",
            "3d": "view=3d",
            "3d-full": "view=3d&resolution=full",
            "3d-full-naive": "view=3d&resolution=full&renderer=naive",
        }
        for key, query in runs.items():
            mode = key[:2]
            page.goto(f"{base}/bench/world-view.html?world={world_id}&synthetic={AVATARS}&{query}")
            page.locator(f".world-canvas[data-view='{mode}'] canvas").wait_for()
            page.wait_for_timeout(sizes["warmup_2d" if mode == "2d" else "warmup_3d"] * 1000)
            results[key] = page.evaluate(
                """async (seconds) => {
                    const stats = window.__worldStats;
                    const frames = stats.frames, since = performance.now();
                    await new Promise((done) => setTimeout(done, seconds * 1000));
                    const elapsed = (performance.now() - since) / 1000;
                    return { fps: (stats.frames - frames) / elapsed, scale: stats.scale };
                }""",
                sizes["seconds"],
            )
        browser.close()
    return results


def run(quick: bool) -> list[Figure]:
    if not CHROMIUM.exists():
        raise SystemExit("world_view needs Debian's chromium: apt-get install chromium")
    if not (BENCH_PAGE / "world-view.html").exists():
        raise SystemExit("world_view needs the built web UI: npm --prefix frontend run build")
    sizes = (
        {"warmup_2d": 1.0, "warmup_3d": 3.0, "seconds": 2.0}
        if quick
        else {"warmup_2d": 2.0, "warmup_3d": 8.0, "seconds": 10.0}
    )
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "DJANGO_SETTINGS_MODULE": "wellness.config.settings",
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        made = subprocess.run(
            [python, "-c", f"from benchmarks.world_view import _setup; _setup({password!r})"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        world_id = json.loads(made.stdout.strip().splitlines()[-1])["world_id"]
        port = _free_port()
        server = subprocess.Popen(
            [python, "-m", "uvicorn", "wellness.config.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--loop", "uvloop", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until_serving(port, server)
            result = _measure(f"http://127.0.0.1:{port}", world_id, password, sizes)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    goal = f">= {GOAL_FPS} fps"
    return [
        figure(
            NAME, f"2D view, {AVATARS:,} avatars (baseline: redraw all, path+text per avatar)",
            result["2d"]["fps"], "fps", baseline=result["2d-naive"]["fps"], goal=goal,
            higher_is_better=True,
        ),
        figure(
            NAME, f"3D view, {AVATARS:,} avatars, as shipped (baseline: one mesh per avatar, full res)",
            result["3d"]["fps"], "fps", baseline=result["3d-full-naive"]["fps"], goal=goal,
            higher_is_better=True,
        ),
        figure(
            NAME, "3D view as shipped: share of full resolution it settled on",
            result["3d"]["scale"], "share", baseline=None, goal="informational",
            higher_is_better=True,
        ),
        figure(
            NAME, f"3D view, {AVATARS:,} avatars, full res, instanced (baseline: one mesh per avatar)",
            result["3d-full"]["fps"], "fps", baseline=result["3d-full-naive"]["fps"],
            goal="ratio > 1", higher_is_better=True,
        ),
    ]  # fmt: skip
