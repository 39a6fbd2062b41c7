"""What needs a clinician's attention, for the dashboard's "recent alerts": an explicit registry of
alert sources (care registers its own here; rehabilitation adds its safety alerts the same way).

A source answers ``source(clinician, now)`` with the alerts about that clinician's patients; the
dashboard shows the newest first. Sources read what the clinician may know of the relationship
(grants, appointments); one that reads health data goes through the audited read path itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F

from wellness.care.models import (
    Appointment,
    AppointmentStatus,
    ClinicianProfile,
    GrantCategory,
    RelationshipStatus,
    SharingGrant,
)

# How far back an ended or cancelled thing is still news, and how far ahead an expiry is.
RECENT = dt.timedelta(days=7)
EXPIRING_WITHIN = dt.timedelta(days=7)
MAX_ALERTS = 50


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    patient_id: int
    patient_name: str
    at: dt.datetime  # when it happened (or, for what is coming, when it will)
    message: str
    about_at: dt.datetime | None = None  # the time it concerns: an appointment's start, an expiry
    # Set when the alert comes from the patient's health data: showing it is a read of that data,
    # recorded in the patient's access log under this description.
    health_read: str | None = None


AlertSource = Callable[[ClinicianProfile, dt.datetime], list[Alert]]
_sources: dict[str, AlertSource] = {}


def register_alert_source(name: str, source: AlertSource) -> None:
    _sources[name] = source


def clinician_alerts(*, clinician: ClinicianProfile, now: dt.datetime) -> list[Alert]:
    """Every source's alerts for this clinician, newest first, at most MAX_ALERTS. Whoever shows
    them records the reads of those with ``health_read`` (see ``AlertListView``)."""
    alerts = [alert for source in _sources.values() for alert in source(clinician, now)]
    alerts.sort(key=lambda alert: (alert.at, alert.kind, alert.patient_id), reverse=True)
    return alerts[:MAX_ALERTS]


def sharing_alerts(clinician: ClinicianProfile, now: dt.datetime) -> list[Alert]:
    """Grants a patient revoked lately, and live ones that end within a week."""
    grants = SharingGrant.objects.filter(
        relationship__clinician=clinician, relationship__status=RelationshipStatus.ACTIVE
    ).values(
        "category",
        "expires_at",
        "revoked_at",
        "relationship__patient_id",
        "relationship__patient__profile__display_name",
    )
    revoked = grants.filter(revoked_at__gt=now - RECENT)
    expiring = grants.filter(
        revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + EXPIRING_WITHIN
    )
    alerts = []
    for row in revoked:
        name = row["relationship__patient__profile__display_name"]
        alerts.append(
            Alert(
                "grant_revoked",
                row["relationship__patient_id"],
                name,
                row["revoked_at"] or now,  # never None: the filter asked for it
                f"{name} stopped sharing {_category(row['category'])} with you.",
            )
        )
    for row in expiring:
        name = row["relationship__patient__profile__display_name"]
        alerts.append(
            Alert(
                "grant_expiring",
                row["relationship__patient_id"],
                name,
                row["expires_at"],
                f"{name}'s sharing of {_category(row['category'])} with you ends soon.",
                about_at=row["expires_at"],
            )
        )
    return alerts


def cancellation_alerts(clinician: ClinicianProfile, now: dt.datetime) -> list[Alert]:
    """Upcoming appointments the patient cancelled lately."""
    cancelled = (
        Appointment.objects.filter(
            clinician=clinician,
            status=AppointmentStatus.CANCELLED,
            cancelled_at__gt=now - RECENT,
            starts_at__gt=F("cancelled_at"),
        )
        .exclude(cancelled_by_id=clinician.user_id)
        .values("patient_id", "patient__profile__display_name", "starts_at", "cancelled_at")
    )
    return [
        Alert(
            "appointment_cancelled",
            row["patient_id"],
            row["patient__profile__display_name"],
            row["cancelled_at"] or now,  # never None: the filter asked for it
            f"{row['patient__profile__display_name']} cancelled a consultation.",
            about_at=row["starts_at"],
        )
        for row in cancelled
    ]


def _category(category: str) -> str:
    return str(GrantCategory(category).label).lower()
