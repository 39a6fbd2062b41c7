"""Django serves the built web UI's shell for every client-side route."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/profile", "/devices", "/workouts/3"])
def test_client_routes_get_the_app_shell_with_built_assets(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 200
    assert b'<script type="module" src="/static/assets/app-' in response.content
    assert b'<main id="main"' in response.content
    assert "csrftoken" in response.cookies


def test_api_paths_are_not_swallowed_by_the_shell() -> None:
    assert Client().get("/api/v1/nope/").status_code == 404


@pytest.mark.django_db
def test_unknown_page_is_a_404_that_still_renders_the_app(settings: Settings) -> None:
    settings.DEBUG = False

    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert b'<main id="main"' in response.content


def test_companion_is_installable_with_a_manifest_and_a_site_wide_service_worker() -> None:
    manifest = Client().get("/manifest.webmanifest")
    worker = Client().get("/sw.js")

    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/companion"
    assert worker.status_code == 200
    assert worker["Content-Type"] == "text/javascript"
    assert b"wellverse-shell" in worker.content
