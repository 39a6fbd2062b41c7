"""The web UI: Django serves one HTML shell; the TypeScript app (built with Vite) renders the pages."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.csrf import ensure_csrf_cookie

SERVICE_WORKER = Path(settings.BASE_DIR) / "frontend" / "dist" / "sw.js"


@ensure_csrf_cookie
def app_shell(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/app.html")


def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"  # browsers must see a new worker right after a deploy
    return response


def web_manifest(request: HttpRequest) -> JsonResponse:
    """Makes the companion installable on a phone's home screen."""
    return JsonResponse(
        {
            "name": "Wellverse companion",
            "short_name": "Wellverse",
            "start_url": "/companion",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f6f7f9",
            "theme_color": "#14171f",
            "icons": [
                {"src": static("icons/wellverse.svg"), "sizes": "any", "type": "image/svg+xml"}
            ],
        },
        content_type="application/manifest+json",
    )
