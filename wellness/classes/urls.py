"""Class routes, included under /api/v1/ by ``wellness/config/urls.py``."""

from __future__ import annotations

from django.urls import path

from wellness.classes import api

urlpatterns = [
    path("classes/", api.ClassListView.as_view(), name="class-list"),
    path("classes/<dbid:class_id>/", api.ClassDetailView.as_view(), name="class-detail"),
    path(
        "classes/<dbid:class_id>/occurrences/",
        api.ClassOccurrencesView.as_view(),
        name="class-occurrences",
    ),
    path("classes/bookings/", api.BookingListView.as_view(), name="class-bookings"),
    path(
        "classes/bookings/<dbid:booking_id>/",
        api.BookingDetailView.as_view(),
        name="class-booking-detail",
    ),
    path(
        "classes/<dbid:class_id>/attendances/",
        api.OnDemandAttendanceView.as_view(),
        name="class-on-demand-attendances",
    ),
    path("classes/history/", api.HistoryView.as_view(), name="class-history"),
    path(
        "classes/attendances/<dbid:attendance_id>/",
        api.AttendanceDetailView.as_view(),
        name="class-attendance-detail",
    ),
    path(
        "classes/attendances/<dbid:attendance_id>/complete/",
        api.AttendanceCompleteView.as_view(),
        name="class-attendance-complete",
    ),
    path("classes/instructors/", api.InstructorGrantView.as_view(), name="class-instructors"),
    path(
        "classes/instructors/<dbid:user_id>/",
        api.InstructorDetailView.as_view(),
        name="class-instructor",
    ),
    path(
        "classes/occurrences/<dbid:occurrence_id>/session/",
        api.SessionView.as_view(),
        name="class-session",
    ),
    path(
        "classes/occurrences/<dbid:occurrence_id>/attendance/",
        api.LiveAttendanceView.as_view(),
        name="class-live-attendance",
    ),
    path(
        "classes/occurrences/<dbid:occurrence_id>/share/",
        api.LiveShareView.as_view(),
        name="class-share",
    ),
]
