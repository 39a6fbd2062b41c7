"""Every page carries a Content-Security-Policy without 'unsafe-inline' and a Permissions-Policy."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = ["/", "/login", "/security", "/workouts", "/api/v1/docs/", "/admin/login/", "/api/v1/me/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_a_permissions_policy(path: str) -> None:
    response = Client().get(path)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "report-uri /csp-report/" in policy
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "display-capture=()" in response["Permissions-Policy"]
    assert "camera=(self)" in response["Permissions-Policy"]  # the consultation room
    assert "microphone=(self)" in response["Permissions-Policy"]
    assert "bluetooth=(self)" in response["Permissions-Policy"]


def test_a_violation_report_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    report = b'{"csp-report": {"violated-directive": "script-src-elem"}}'

    response = Client().post("/csp-report/", report, content_type="application/csp-report")

    assert response.status_code == 204
    assert "CSP violation reported" in caplog.text
    assert "script-src-elem" in caplog.text
