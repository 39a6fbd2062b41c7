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
    path("programs/", api.ProgramListView.as_view(), name="rehab-programs"),
    path("programs/<dbid:program_id>/", api.ProgramDetailView.as_view(), name="rehab-program"),
    path("programs/<dbid:program_id>/end/", api.ProgramEndView.as_view(), name="rehab-program-end"),
    path(
        "programs/<dbid:program_id>/versions/",
        api.ProgramVersionsView.as_view(),
        name="rehab-program-versions",
    ),
    path(
        "programs/<dbid:program_id>/sessions/",
        api.ProgramSessionsView.as_view(),
        name="rehab-program-sessions",
    ),
    path(
        "programs/<dbid:program_id>/adherence/",
        api.ProgramAdherenceView.as_view(),
        name="rehab-program-adherence",
    ),
    path("sessions/<dbid:session_id>/", api.SessionDetailView.as_view(), name="rehab-session"),
    path("patients/", api.RehabPatientsView.as_view(), name="rehab-patients"),
    path(
        "sessions/<dbid:session_id>/logs/",
        api.SessionLogsView.as_view(),
        name="rehab-session-logs",
    ),
    path(
        "sessions/<dbid:session_id>/end/",
        api.SessionEndView.as_view(),
        name="rehab-session-end",
    ),
    path(
        "patients/<dbid:patient_id>/programs/",
        api.PatientProgramsView.as_view(),
        name="rehab-patient-programs",
    ),
]
