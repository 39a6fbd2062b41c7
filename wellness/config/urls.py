"""URL map: the API under /api/v1/, its schema and docs, the admin, health check and the web UI."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from wellness.core.csp import csp_report

handler400 = "wellness.core.rest.handler400"
handler404 = "wellness.core.rest.handler404"
handler500 = "wellness.core.rest.handler500"


# The admin requires a second factor: a staff account without one cannot reach it (django-otp).
admin.site.__class__ = OTPAdminSite


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("csp-report/", csp_report, name="csp-report"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("wellness.people.urls")),
    path("api/v1/", include("wellness.scoring.urls")),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("wellness.workouts.urls")),
    path("api/v1/", include("devices.urls")),
    path("api/v1/", include("challenges.urls")),
    path("api/v1/", include("worlds.urls")),
    path("api/v1/", include("wellness.classes.urls")),
    path("api/v1/care/rehabilitation/", include("wellness.care.rehabilitation.urls")),
    path("api/v1/care/", include("wellness.care.urls")),
    path("api/v1/", include("wellness.care.appointments.urls")),
    path("", include("frontend.urls")),
]
