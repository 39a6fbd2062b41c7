"""The Content-Security-Policy holds in the browser: an injected inline script does not run and is
reported (the check every other browser test makes, shown to catch what it should)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.frontend.helpers import CSP_VIOLATION, DESKTOP
from tests.servers import AsgiServer

pytestmark = pytest.mark.integration


@pytest.mark.csp_violation_expected
def test_an_inline_script_is_blocked_and_reported(asgi_server: AsgiServer, chromium: Any) -> None:
    page = chromium.new_page(viewport=DESKTOP)
    page.goto(f"{asgi_server.http_url}/login")
    page.get_by_role("heading", name="Sign in to Wellverse").wait_for()

    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(1000)

    assert page.evaluate("() => window.injected === true") is False
    assert CSP_VIOLATION in asgi_server.log_path.read_text(errors="replace")
