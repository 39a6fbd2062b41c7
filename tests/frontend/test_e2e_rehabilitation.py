"""Rehabilitation in a real browser (issue 22): the therapist prescribes a program on the
overview page; the patient starts today's session, logs the first exercise with pain at the stop
rule, sees the stop message and the summary; the therapist's overview then shows the patient with
the pain alert. axe finds nothing, at 360 and 1280 px. The player's ceiling rule is covered by
Vitest (frontend/src/rehab/ceiling.test.ts)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.frontend.helpers import DESKTOP, PHONE, axe_at_phone_and_desktop, sign_in
from tests.servers import AsgiServer
from tests.wellness.care.rehabilitation.factories import (
    care_with_grant,
    patient_create,
    therapist_create,
)
from wellness.care.models import Exercise, RehabProgram, RehabSession
from wellness.care.rehabilitation.catalogue import shipped_exercises_sync

pytestmark = pytest.mark.integration


def test_pain_at_the_stop_rule_ends_the_session_and_alerts_the_therapist(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    shipped_exercises_sync(Exercise)  # an earlier browser test's flush took the migration's rows
    therapist = therapist_create()
    patient = patient_create()
    care_with_grant(therapist=therapist, patient=patient)
    device = TOTPDevice.objects.create(user=therapist.user, name="app", confirmed=True)
    doctor = chromium.new_page(viewport=DESKTOP)
    sign_in(doctor, asgi_server.http_url, therapist.user.email, otp_key=device.bin_key)
    doctor.goto(f"{asgi_server.http_url}/care/clinician")
    doctor.get_by_role("link", name="Rehabilitation overview").click()
    doctor.get_by_label("Title").fill("Knee rehabilitation")
    doctor.locator("select[name=exercise_0]").select_option(label="Sit to stand")
    doctor.get_by_role("button", name="Prescribe").click()
    row = doctor.locator(f"tr[data-patient='{patient.pk}']")
    row.wait_for()
    assert RehabProgram.objects.get(patient=patient).title == "Knee rehabilitation"
    prescribe_violations = axe_at_phone_and_desktop(doctor, "rehab-overview-prescribe")

    page = chromium.new_page(viewport=PHONE)
    sign_in(page, asgi_server.http_url, patient.email)
    page.goto(f"{asgi_server.http_url}/care")
    page.get_by_role("link", name="My rehabilitation").click()
    page.get_by_text("This week: 0 of 3 sessions done").wait_for()
    program_violations = axe_at_phone_and_desktop(page, "rehab-programs")
    page.get_by_role("button", name="Start today's session").click()
    page.get_by_role("heading", name="Sit to stand", exact=True).wait_for()
    page.get_by_role("button", name="Rep done").press("Enter")
    page.get_by_label("Pain now").fill("6")
    page.get_by_label("Effort (RPE)").fill("4")
    player_violations = axe_at_phone_and_desktop(page, "rehab-player")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Session summary").wait_for()
    assert "reached the stop rule (5/10)" in page.locator(".stop-message").inner_text()
    assert page.locator("[data-summary] dd").first.inner_text() == "Stopped"
    summary_violations = axe_at_phone_and_desktop(page, "rehab-summary")
    assert RehabSession.objects.get(program__patient=patient).status == "stopped"

    doctor.reload()
    row.locator("[data-alert=pain_stop]").wait_for()
    assert row.locator("[data-alert=pain_stop]").inner_text() == (
        "Pain 6/10 reached the stop rule (5/10)"
    )
    assert row.locator("td").nth(2).inner_text() == "6/10"
    overview_violations = axe_at_phone_and_desktop(doctor, "rehab-overview")
    assert prescribe_violations == program_violations == player_violations == []
    assert summary_violations == overview_violations == []
