"""Care in a real browser: the patient adds a clinician by code, shares workouts and revokes; the
clinician, signed in with a second factor, sees the patient on the dashboard and their workouts
until the grant is revoked; the patient reads the note. axe finds nothing, at 360 and 1280 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, UserFactory, WorkoutFactory
from tests.frontend.helpers import DESKTOP, PHONE, axe_at_phone_and_desktop
from tests.servers import AsgiServer
from tests.wellness.care.factories import (
    appointment_create,
    daily_rule_create,
    make_clinician,
    make_grant,
    make_relationship,
)
from wellness.care.models import Appointment, ConsultationNote, ConsultationNoteVersion
from wellness.people.models import User

pytestmark = pytest.mark.integration


def _sign_in(page: Any, server: AsgiServer, user: User, device: TOTPDevice | None = None) -> None:
    page.goto(f"{server.http_url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.get_by_label("Authentication code or recovery code").fill(
            f"{totp(device.bin_key):06d}"
        )
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()


def test_a_patient_shares_with_a_clinician_who_sees_it_until_it_is_revoked(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    patient = UserFactory.create(consented=True)
    WorkoutFactory.create(user=patient)
    clinician = make_clinician()
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    patient_page = chromium.new_page(viewport=PHONE)
    _sign_in(patient_page, asgi_server, patient)

    patient_page.get_by_role("link", name="My care").click()
    patient_page.get_by_label("Invite code from your clinician").fill(clinician.invite_code)
    patient_page.get_by_role("button", name="Add to my care team").click()
    patient_page.get_by_role("heading", name="Dr. Okafor").wait_for()
    patient_page.get_by_label("Share with Dr. Okafor").select_option("workouts")
    patient_page.get_by_role("button", name="Share", exact=True).click()
    patient_page.locator("[data-grant=workouts][data-live=true]").wait_for()
    patient_violations = axe_at_phone_and_desktop(patient_page, "care-patient")

    doctor_page = chromium.new_page(viewport=DESKTOP)
    _sign_in(doctor_page, asgi_server, clinician.user, device)
    doctor_page.goto(f"{asgi_server.http_url}/care/clinician")
    doctor_page.get_by_role("link", name=patient.profile.display_name).click()
    doctor_page.get_by_role("table", name="Workouts and scores").wait_for()
    assert doctor_page.locator("tbody tr").count() == 1
    dashboard_violations = axe_at_phone_and_desktop(doctor_page, "care-clinician-patient")

    patient_page.get_by_role("button", name="Revoke Workouts and scores").click()
    patient_page.get_by_text("Revoked").wait_for()
    doctor_page.reload()
    doctor_page.locator("[data-section=workouts]").get_by_text(
        "Not shared with you now."
    ).wait_for()

    patient_page.get_by_role("link", name="your access log").click()
    patient_page.get_by_text(
        "Dr. Okafor (clinician) read your workouts of November 2026"
    ).first.wait_for()
    assert patient_violations == dashboard_violations == []


def test_the_patient_reads_a_note_and_sees_the_amended_version(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    patient = UserFactory.create(consented=True)
    clinician = make_clinician()
    note = ConsultationNote.objects.create(
        relationship=make_relationship(patient=patient, clinician=clinician), author=clinician
    )
    ConsultationNoteVersion.objects.create(note=note, number=1, reason="Knee pain", plan="Rest")
    ConsultationNoteVersion.objects.create(note=note, number=2, reason="Knee pain", plan="Physio")
    page = chromium.new_page(viewport=PHONE)
    _sign_in(page, asgi_server, patient)

    page.goto(f"{asgi_server.http_url}/care")

    page.get_by_role("heading", name="Version 1 (amended)").wait_for()
    assert page.locator("[data-version='2'] dd").all_inner_texts() == ["Knee pain", "Physio"]
    assert axe_at_phone_and_desktop(page, "care-notes") == []


def test_the_clinician_writes_a_note_that_the_patient_reads(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    patient = UserFactory.create(consented=True)
    clinician = make_clinician()
    make_relationship(patient=patient, clinician=clinician)
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    doctor_page = chromium.new_page(viewport=DESKTOP)
    _sign_in(doctor_page, asgi_server, clinician.user, device)
    doctor_page.goto(f"{asgi_server.http_url}/care/patients/{patient.pk}")

    doctor_page.get_by_label("Reason").fill("Breathless on stairs")
    doctor_page.get_by_label("Plan").fill("Graded walking, three times a week")
    doctor_page.get_by_role("button", name="Save the note").click()
    doctor_page.get_by_role("heading", name="Version 1").wait_for()
    violations = axe_at_phone_and_desktop(doctor_page, "care-note-write")

    patient_page = chromium.new_page(viewport=PHONE)
    _sign_in(patient_page, asgi_server, patient)
    patient_page.goto(f"{asgi_server.http_url}/care")
    patient_page.get_by_text("Graded walking, three times a week").wait_for()
    version = ConsultationNoteVersion.objects.get(note__relationship__patient=patient)
    assert (version.reason, version.plan) == (
        "Breathless on stairs",
        "Graded walking, three times a week",
    )
    assert violations == []


def test_the_patient_books_a_consultation_and_cancels_it(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    patient = UserFactory.create(consented=True)
    clinician = make_clinician()
    daily_rule_create(clinician=clinician)
    make_relationship(patient=patient, clinician=clinician)
    page = chromium.new_page(viewport=PHONE)
    _sign_in(page, asgi_server, patient)
    page.goto(f"{asgi_server.http_url}/care")

    page.get_by_role("link", name="Book or see my appointments").click()
    page.get_by_role("heading", name="Appointments", exact=True).wait_for()
    page.get_by_label("Clinician", exact=True).select_option(label="Dr. Okafor")
    page.locator("#book-slots input[type=radio]").first.check()
    page.get_by_role("button", name="Book this time").click()
    page.get_by_role("link", name="Join the consultation").wait_for()
    booked = Appointment.objects.get(patient=patient)
    assert booked.clinician_id == clinician.pk
    assert booked.status == "booked"
    violations = axe_at_phone_and_desktop(page, "care-appointments")

    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("(cancelled").wait_for()
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert violations == []


def test_the_clinician_dashboard_lists_todays_consultations(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    patient = UserFactory.create(consented=True)
    clinician = make_clinician()
    relationship = make_relationship(patient=patient, clinician=clinician)
    make_grant(relationship=relationship, category="hrv", days=3)
    # Starting now: the browser's "today" is the same day (a later time could cross midnight).
    appointment = appointment_create(clinician=clinician, patient=patient, starts_at=timezone.now())
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    page = chromium.new_page(viewport=DESKTOP)
    _sign_in(page, asgi_server, clinician.user, device)

    page.goto(f"{asgi_server.http_url}/care/clinician")

    name = patient.profile.display_name
    room = page.get_by_role("link", name=f"Open the room for {name}")
    room.wait_for()
    assert room.get_attribute("href") == f"/consultations/{appointment.pk}"
    alert = page.get_by_role("link", name=f"{name}'s sharing of heart-rate variability with you")
    assert alert.get_attribute("href") == f"/care/patients/{patient.pk}"
    assert axe_at_phone_and_desktop(page, "care-clinician-today") == []


def test_the_clinician_publishes_weekly_times_that_patients_can_book(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    clinician = make_clinician()
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    page = chromium.new_page(viewport=PHONE)
    _sign_in(page, asgi_server, clinician.user, device)

    page.goto(f"{asgi_server.http_url}/care/availability")
    page.get_by_text("patients cannot book you").wait_for()
    page.get_by_label("Opens at").fill("08:30")
    page.get_by_label("Open for (hours)").fill("2")
    page.get_by_label("Break between consultations (minutes)").fill("10")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    for day in ("Monday", "Thursday"):
        page.get_by_label(day).check()
    page.get_by_role("button", name="Publish these times").click()

    listed = page.get_by_text("Mondays and Thursdays, 08:30 for 2 h, 30-minute slots")
    listed.wait_for()
    rule = clinician.availability_rules.get()
    assert (rule.rrule, rule.window_minutes, rule.buffer_minutes) == (
        "FREQ=WEEKLY;BYDAY=MO,TH",
        120,
        10,
    )
    assert axe_at_phone_and_desktop(page, "care-availability") == []

    page.get_by_role("button", name="Remove: Mondays and Thursdays").click()
    page.get_by_text("patients cannot book you").wait_for()
    assert not clinician.availability_rules.exists()
