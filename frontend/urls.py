from django.urls import path, re_path

from frontend import views

# Client-side routes (see frontend/src/main.ts); anything else under them is the app's own 404 page.
urlpatterns = [
    path("", views.app_shell, name="home"),
    re_path(
        r"^(?:login|signup|profile|devices|workouts|challenges|communities|worlds|companion)(?:/.*)?$",
        views.app_shell,
    ),
]
