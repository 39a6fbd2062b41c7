"""The headless Chromium fixture of the end-to-end and accessibility tests (helpers in ``helpers.py``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks._chromium import CHROMIUM, chromium_launch
from tests.frontend.helpers import CSP_VIOLATION


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("end-to-end test: needs Debian's chromium (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    # make between browser steps are ordinary blocking calls, which Django would otherwise refuse.
    # Module scope: the loop must stop before other modules' async tests run in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = chromium_launch(playwright)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _close_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close every page a test opened: a live world view left open keeps drawing (headless pages
    are never hidden) and would take frames from the next test's measurement."""
    yield
    if "chromium" in request.fixturenames:
        for context in request.getfixturevalue("chromium").contexts:
            context.close()


@pytest.fixture(autouse=True)
def _no_csp_violation(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page a browser test visits keeps the Content-Security-Policy: the browser reports any
    violation to /csp-report/, which the server logs; the test fails if its server logged one."""
    checked = (
        "asgi_server" in request.fixturenames
        and "chromium" in request.fixturenames
        and request.node.get_closest_marker("csp_violation_expected") is None
    )
    server = request.getfixturevalue("asgi_server") if checked else None
    yield
    if server is None:
        return
    time.sleep(0.5)  # reports are sent after the violation, not with it
    log = server.log_path.read_text(errors="replace")
    violations = [line for line in log.splitlines() if CSP_VIOLATION in line]
    assert violations == [], "\n".join(violations)
