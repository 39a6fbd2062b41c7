"""Activity-file routes (import, export), included under /api/v1/ by ``wellness/config/urls.py``."""

from django.urls import path

from devices import api

urlpatterns = [
    path("workouts/import/", api.WorkoutImportView.as_view(), name="workout-import"),
    path(
        "workouts/<dbid:workout_id>/export",
        api.WorkoutExportView.as_view(),
        name="workout-export-query",
    ),
    path(
        "workouts/<dbid:workout_id>/export.<str:fmt>",
        api.WorkoutExportView.as_view(),
        name="workout-export",
    ),
]
