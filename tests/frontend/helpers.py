"""What the browser tests share: viewport sizes, axe, screenshots, signing in, and test data made
away from Playwright's event loop."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection
from django_otp.oath import totp

from benchmarks._chromium import CHROMIUM, chromium_launch
from tests.servers import ROOT
from wellness.people.models import User
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_create_with_samples

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# What the server logs for each Content-Security-Policy violation a browser reports (wellness/core/csp.py).
CSP_VIOLATION = "CSP violation reported"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
T = TypeVar("T")

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)


def chromium_browser(extra_flags: Sequence[str] = ()) -> Iterator[Any]:
    """The browser of a module-scoped ``chromium`` fixture (a test module may override the fixture
    with other flags, e.g. a fake camera)."""
    if not CHROMIUM.exists():
        pytest.skip("end-to-end test: needs Debian's chromium (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    # make between browser steps are ordinary blocking calls, which Django would otherwise refuse.
    # Module scope: the loop must stop before other modules' async tests run in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = chromium_launch(playwright, extra_flags)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the DevTools protocol, not an inline <script> tag the page's CSP refuses.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_at_phone_and_desktop(page: Any, name: str) -> list[tuple[str, str]]:
    """axe's serious violations (id, help) at 360 and 1280 px, with a screenshot at each size."""
    found = []
    for size, suffix in ((PHONE, "360"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        found += [(v["id"], v["help"]) for v in axe_violations(page)]
        screenshot(page, f"{name}-{suffix}")
    return found


def emailed_link(log_path: Path, to: str, timeout_s: float = 10.0) -> str:
    """The sign-up link the server emailed to ``to``: the default ``EMAIL_URL`` (console) prints
    each message to the server's output, which the test servers write to ``log_path``."""
    pattern = re.compile(
        rf"To: {re.escape(to)}\n(?:.*\n)*?.*?(http://[^\s]+/confirm-email\?user=\d+&token=[\w-]+)"
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = pattern.findall(log_path.read_text(errors="replace"))
        if found:
            return str(found[-1])
        time.sleep(0.1)
    raise AssertionError(f"no sign-up link emailed to {to}; see {log_path}")


def sign_in(
    page: Any,
    base_url: str,
    email: str,
    password: str = "correct-horse-battery-staple",
    otp_key: bytes | None = None,
) -> None:
    """Sign in through the form, as a person does, and wait for the dashboard. With ``otp_key``
    (a TOTP device's ``bin_key``), answer the second-factor step with its current code."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if otp_key is not None:
        page.get_by_label("Authentication code or recovery code").fill(f"{totp(otp_key):06d}")
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()


def off_loop(call: Callable[[], T]) -> T:
    """Run a service that broadcasts on commit (async_to_sync inside) away from Playwright's loop."""
    box: list[T] = []

    def run() -> None:
        try:
            box.append(call())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return box[0]


def recorded_run(user: User) -> Workout:
    samples = [
        {
            "t": START.timestamp() + i,
            "hr": 120 + 40 * math.sin(i / 100),
            "speed": 3.0 + 0.5 * math.sin(i / 50),
            "cadence": 168.0,
            "distance": 3.0 * i,
            "altitude": 300 + 10 * math.sin(i / 200),
        }
        for i in range(600)
    ]
    return off_loop(
        lambda: workout_create_with_samples(
            user=user,
            sport="run",
            indoor=False,
            source="file",
            started_at=START,
            ended_at=START + dt.timedelta(seconds=600),
            samples=samples,
        )
    )


def simulated_athlete(
    server_url: str, token: str, journal: Path, *, duration: int
) -> subprocess.Popen[bytes]:
    """The bridge's simulated runner (strap, foot pod) streaming in real time to the server with an
    ingest token, for ``duration`` seconds."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "devices.bridge", "simulate", "--profile", "run",
            "--server", server_url, "--token", token, "--duration", str(duration),
            "--speed", "1", "--journal", str(journal),
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
