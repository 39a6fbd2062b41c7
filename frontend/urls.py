import json
import re
from pathlib import Path

from django.urls import path, re_path

from frontend import views

# The client routes, listed once for both sides (frontend/src/app/main.ts renders them); anything
# else under their first path segments is the app's own 404 page.
ROUTES = json.loads((Path(__file__).parent / "src" / "app" / "routes.json").read_text())
SEGMENTS = sorted({route["path"].split("/")[1] for route in ROUTES} - {""})

urlpatterns = [
    path("", views.app_shell, name="home"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    re_path(rf"^(?:{'|'.join(map(re.escape, SEGMENTS))})(?:/.*)?$", views.app_shell),
]
