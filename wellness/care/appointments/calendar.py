"""iCalendar (RFC 5545) documents: one appointment's invitation, and a clinician's private feed.

The feed lives at a secret URL that calendar apps (and the companies behind them) poll, so it names
no patient: each event is "Consultation" with a link into Wellverse, where the signed-in clinician
sees who it is with. The invitation a participant downloads names the other party as they see it.
"""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar, Event, vCalAddress, vText

from wellness.care.models import Appointment, AppointmentStatus, ClinicianProfile

PRODUCT_ID = "-//Wellverse//Care appointments//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, *, summary: str, site_url: str) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@wellverse")
    event.add("dtstamp", appointment.created_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", summary)
    event.add("url", f"{site_url}/consultations/{appointment.pk}")
    event.add(
        "description", f"Join the video consultation at {site_url}/consultations/{appointment.pk}"
    )
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A rescheduled appointment keeps its UID; calendar apps take the higher sequence.
    event.add("sequence", int(appointment.starts_at.timestamp()) // 60 % 2**31)
    return event


def invitation_ics(appointment: Appointment, *, for_clinician: bool, site_url: str) -> bytes:
    """The ``.ics`` invitation of one appointment, for a participant."""
    clinician: ClinicianProfile = appointment.clinician
    if for_clinician:
        summary = f"Consultation with {appointment.patient.profile.display_name or 'your patient'}"
    else:
        summary = f"Consultation with {clinician.professional_name}"
    event = _event(appointment, summary=summary, site_url=site_url)
    organizer = vCalAddress(f"mailto:{clinician.user.email}")
    organizer.params["cn"] = vText(clinician.professional_name)
    event.add("organizer", organizer)
    calendar = _calendar("Wellverse consultation")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def feed_ics(
    clinician: ClinicianProfile, appointments: Iterable[Appointment], *, site_url: str
) -> bytes:
    """The clinician's private feed: their booked appointments, with no patient's name."""
    calendar = _calendar(f"{clinician.professional_name}: Wellverse consultations")
    for appointment in appointments:
        calendar.add_component(_event(appointment, summary="Consultation", site_url=site_url))
    return bytes(calendar.to_ical())
