"""Routes of the workouts resource, included under /api/v1/ by ``wellness/config/urls.py``."""

from django.urls import path

from wellness.workouts import api

urlpatterns = [
    path("workouts/", api.WorkoutListView.as_view(), name="workout-list"),
    path("workouts/<dbid:workout_id>/", api.WorkoutDetailView.as_view(), name="workout-detail"),
    path(
        "workouts/<dbid:workout_id>/finish/",
        api.WorkoutFinishView.as_view(),
        name="workout-finish",
    ),
    path(
        "workouts/<dbid:workout_id>/samples/",
        api.WorkoutSamplesView.as_view(),
        name="workout-samples",
    ),
]
