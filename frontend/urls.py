from django.urls import path, re_path

from frontend import views

# Client-side routes (see frontend/src/main.ts); anything else under them is the app's own 404 page.
urlpatterns = [
    path("", views.app_shell, name="home"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    re_path(
        r"^(?:login|signup|profile|devices|workouts|challenges|communities|worlds|companion|classes|security)(?:/.*)?$",
        views.app_shell,
    ),
]
