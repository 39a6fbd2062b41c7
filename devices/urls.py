from django.urls import path

from devices import api

urlpatterns = [
    path("workouts/", api.WorkoutListView.as_view(), name="workout-list"),
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
