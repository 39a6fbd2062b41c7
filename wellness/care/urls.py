"""Routes of care, under /api/v1/care/ (``wellness/config/urls.py``)."""

from __future__ import annotations

from django.urls import path

from wellness.care import api

urlpatterns = [
    path("organisations/", api.OrganisationListView.as_view(), name="care-organisations"),
    path(
        "organisations/<dbid:organisation_id>/administrators/",
        api.OrganisationAdministratorsView.as_view(),
        name="care-organisation-administrators",
    ),
    path(
        "organisations/<dbid:organisation_id>/administrators/<dbid:user_id>/",
        api.OrganisationAdministratorDetailView.as_view(),
        name="care-organisation-administrator",
    ),
    path(
        "organisations/<dbid:organisation_id>/clinicians/",
        api.OrganisationCliniciansView.as_view(),
        name="care-organisation-clinicians",
    ),
    path("clinician/", api.OwnClinicianProfileView.as_view(), name="care-clinician-profile"),
    path(
        "clinicians/<dbid:clinician_id>/verification/",
        api.ClinicianVerificationView.as_view(),
        name="care-clinician-verification",
    ),
    path("team/", api.CareTeamView.as_view(), name="care-team"),
    path(
        "relationships/<dbid:relationship_id>/",
        api.RelationshipDetailView.as_view(),
        name="care-relationship",
    ),
    path(
        "relationships/<dbid:relationship_id>/accept/",
        api.RelationshipAcceptView.as_view(),
        name="care-relationship-accept",
    ),
    path(
        "relationships/<dbid:relationship_id>/grants/",
        api.GrantListView.as_view(),
        name="care-grants",
    ),
    path("grants/<dbid:grant_id>/", api.GrantDetailView.as_view(), name="care-grant"),
    path("grants/<dbid:grant_id>/renew/", api.GrantRenewView.as_view(), name="care-grant-renew"),
    path("notes/", api.OwnNotesView.as_view(), name="care-notes"),
    path(
        "notes/<dbid:note_id>/versions/", api.NoteVersionsView.as_view(), name="care-note-versions"
    ),
    path(
        "relationships/<dbid:relationship_id>/notes/",
        api.RelationshipNotesView.as_view(),
        name="care-relationship-notes",
    ),
    path(
        "patients/<dbid:patient_id>/notes/",
        api.PatientNotesView.as_view(),
        name="care-patient-notes",
    ),
    path("invitations/", api.InvitationView.as_view(), name="care-invitations"),
    path("patients/", api.PatientListView.as_view(), name="care-patients"),
    path("alerts/", api.AlertListView.as_view(), name="care-alerts"),
    path(
        "patients/<dbid:patient_id>/workouts/",
        api.PatientWorkoutsView.as_view(),
        name="care-patient-workouts",
    ),
    path(
        "patients/<dbid:patient_id>/workouts/<dbid:workout_id>/",
        api.PatientWorkoutView.as_view(),
        name="care-patient-workout",
    ),
    path("patients/<dbid:patient_id>/hrv/", api.PatientHrvView.as_view(), name="care-patient-hrv"),
    path(
        "patients/<dbid:patient_id>/class-metrics/",
        api.PatientClassMetricsView.as_view(),
        name="care-patient-class-metrics",
    ),
    path(
        "patients/<dbid:patient_id>/physiology/",
        api.PatientPhysiologyView.as_view(),
        name="care-patient-physiology",
    ),
]
