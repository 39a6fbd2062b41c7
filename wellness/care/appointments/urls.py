"""Appointment routes, included under /api/v1/ by ``wellness/config/urls.py``."""

from __future__ import annotations

from django.urls import path

from wellness.care.appointments import api

urlpatterns = [
    path("care/availability/", api.AvailabilityListView.as_view(), name="care-availability"),
    path(
        "care/availability/<dbid:rule_id>/",
        api.AvailabilityDetailView.as_view(),
        name="care-availability-detail",
    ),
    path(
        "care/clinicians/<dbid:clinician_id>/slots/",
        api.SlotsView.as_view(),
        name="care-clinician-slots",
    ),
    path("care/appointments/", api.AppointmentListView.as_view(), name="care-appointments"),
    path("care/appointments/guest/", api.GuestAcceptView.as_view(), name="care-appointment-guest"),
    path(
        "care/appointments/<dbid:appointment_id>/",
        api.AppointmentDetailView.as_view(),
        name="care-appointment-detail",
    ),
    path(
        "care/appointments/<dbid:appointment_id>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="care-appointment-cancel",
    ),
    path(
        "care/appointments/<dbid:appointment_id>/end/",
        api.AppointmentEndView.as_view(),
        name="care-appointment-end",
    ),
    path(
        "care/appointments/<dbid:appointment_id>/invitation.ics",
        api.AppointmentInvitationView.as_view(),
        name="care-appointment-ics",
    ),
    path(
        "care/appointments/<dbid:appointment_id>/guest-invitation/",
        api.GuestInvitationView.as_view(),
        name="care-appointment-guest-invitation",
    ),
    path("care/calendar-feed/", api.CalendarFeedView.as_view(), name="care-calendar-feed"),
    path(
        "care/calendar/<str:token>.ics",
        api.CalendarFeedDocumentView.as_view(),
        name="care-calendar-feed-document",
    ),
]
