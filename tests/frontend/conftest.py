"""The headless Chromium fixture of the end-to-end and accessibility tests (helpers in ``helpers.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.frontend.helpers import CSP_VIOLATION, chromium_browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from chromium_browser()


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
