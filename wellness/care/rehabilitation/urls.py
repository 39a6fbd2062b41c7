"""Rehabilitation routes, under /api/v1/care/rehabilitation/ (``wellness/config/urls.py``)."""

from __future__ import annotations

from django.urls import path

from wellness.care.rehabilitation import api

urlpatterns = [
    path("exercises/", api.ExerciseListView.as_view(), name="rehab-exercises"),
    path(
        "exercises/<dbid:exercise_id>/",
        api.ExerciseDetailView.as_view(),
        name="rehab-exercise",
    ),
]
