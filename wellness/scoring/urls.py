"""Routes of scores, progress and fitness over time, under /api/v1/ (``wellness/config/urls.py``)."""

from __future__ import annotations

from django.urls import path

from wellness.scoring import api

urlpatterns = [
    path("me/progress/", api.ProgressView.as_view(), name="me-progress"),
    path("me/performance/", api.PerformanceView.as_view(), name="me-performance"),
    path("me/records/", api.PersonalRecordsView.as_view(), name="me-records"),
    path("workouts/<dbid:workout_id>/score/", api.WorkoutScoreView.as_view(), name="workout-score"),
]
