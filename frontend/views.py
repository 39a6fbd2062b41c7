"""The web UI: Django serves one HTML shell; the TypeScript app (built with Vite) renders the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def app_shell(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/app.html")
