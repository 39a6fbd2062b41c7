"""URL map: the API under /api/v1/, its schema and docs, the admin, health check and the web UI."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from wellness import api

handler404 = "wellness.core.rest.handler404"
handler500 = "wellness.core.rest.handler500"


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


api_v1 = [
    path("auth/csrf/", api.CsrfView.as_view(), name="auth-csrf"),
    path("auth/signup/", api.SignUpView.as_view(), name="auth-signup"),
    path("auth/login/", api.SignInView.as_view(), name="auth-login"),
    path("auth/logout/", api.SignOutView.as_view(), name="auth-logout"),
    path("auth/token/", api.TokenSignInView.as_view(), name="auth-token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.ExportView.as_view(), name="me-export"),
    path("me/progress/", api.ProgressView.as_view(), name="me-progress"),
    path("me/performance/", api.PerformanceView.as_view(), name="me-performance"),
    path("me/records/", api.PersonalRecordsView.as_view(), name="me-records"),
    path("workouts/<dbid:workout_id>/score/", api.WorkoutScoreView.as_view(), name="workout-score"),
    path("consent/health-data/", api.HealthConsentView.as_view(), name="consent-health-data"),
    path("tokens/", api.TokenListView.as_view(), name="token-list"),
    path("tokens/<dbid:token_id>/", api.TokenDetailView.as_view(), name="token-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("devices.urls")),
    path("api/v1/", include("challenges.urls")),
    path("api/v1/", include("worlds.urls")),
    path("api/v1/", include("wellness.classes.urls")),
    path("", include("frontend.urls")),
]
