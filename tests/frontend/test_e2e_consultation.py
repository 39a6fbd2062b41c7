"""The consultation room in two real browsers with fake cameras and microphones, on loopback with
host candidates (no TURN): the patient waits, the clinician (verified, signed in with an
authenticator code) admits them, each decodes the other's video and receives their audio, chat
crosses both ways, mute silences the microphone for the other side, a dropped socket reconnects
without leaving the call, the clinician sees the live heart rate the patient's bridge streams until
the patient revokes the grant, and someone else is refused."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, UserFactory
from tests.frontend.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    chromium_browser,
    screenshot,
    simulated_athlete,
)
from tests.servers import AsgiServer
from tests.wellness.care.factories import (
    appointment_create,
    care_create,
    clinician_create,
    make_grant,
)
from wellness.care.models import Appointment, CareRelationship, ClinicianProfile, GrantCategory
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create

pytestmark = pytest.mark.integration

# Chromium's fake camera (a moving test pattern) and microphone (a beep), granted without a prompt.
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# Keeps every RTCPeerConnection the page makes, so the test can read its getStats(); every
# WebSocket, so the test can drop one; and a line per room message, printed when the media does not
# flow. Injected through the DevTools protocol (not subject to the page's CSP).
WATCH_CONNECTIONS = """
(() => {
  const NativePeer = window.RTCPeerConnection;
  const NativeSocket = window.WebSocket;
  const started = performance.now();
  window.__pcs = [];
  window.__sockets = [];
  window.__log = [];
  const note = (direction, raw) => {
    try {
      const m = JSON.parse(raw);
      const d = m.data || {};
      const what = d.description ? d.description.type : d.candidate ? "candidate" : "";
      const who = m.role || m.from || m.to || "";
      const ms = Math.round(performance.now() - started);
      window.__log.push(`${ms} ${direction} ${m.type || m.action} ${who} ${d.kind || ""} ${what}`);
    } catch {}
  };
  window.RTCPeerConnection = class extends NativePeer {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener("message", (event) => note("in", event.data));
    }
    send(data) { note("out", data); super.send(data); }
  };
})();
"""

INBOUND = """
async () => {
  const totals = {
    framesDecoded: 0, audioPackets: 0, audioEnergy: 0, connections: 0, states: [], framesEach: [],
  };
  for (const pc of window.__pcs) {
    totals.states.push(`${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}`);
    if (pc.connectionState === "closed") continue;
    totals.connections += 1;
    let frames = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type !== "inbound-rtp") return;
      if (report.kind === "video") frames += report.framesDecoded || 0;
      if (report.kind === "audio") {
        totals.audioPackets += report.packetsReceived || 0;
        totals.audioEnergy += report.totalAudioEnergy || 0;
      }
    });
    totals.framesDecoded += frames;
    totals.framesEach.push(frames);
  }
  return totals;
}
"""

ROOM_SOCKETS = "window.__sockets.filter((s) => s.url.includes('/ws/v1/rooms/'))"

# A refusal before the handshake completes reaches a browser as an HTTP 403: the socket never opens
# and closes with 1006 (the close codes 4403/4404 are for clients that see them, as in
# tests/wellness/care/rooms/test_room_ws.py).
OPEN_ROOM = """
async (path) => await new Promise((resolve) => {
  let opened = false;
  const socket = new WebSocket(`ws://${location.host}${path}`);
  socket.onopen = () => {
    opened = true;
    socket.close();
  };
  socket.onclose = (event) => resolve({ opened, code: event.code });
})
"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from chromium_browser(FAKE_MEDIA)


def _consultation() -> tuple[ClinicianProfile, TOTPDevice, User, Appointment]:
    """A verified clinician with an authenticator app, their patient, and an appointment starting
    in five minutes (the room is open)."""
    clinician = clinician_create(name="Dr. Okafor")
    device = TOTPDevice.objects.create(
        user=clinician.user, name="Authenticator app", confirmed=True
    )
    patient = care_create(clinician=clinician)
    appointment = appointment_create(
        clinician=clinician, patient=patient, starts_at=timezone.now() + dt.timedelta(minutes=5)
    )
    return clinician, device, patient, appointment


def _totp_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _room_page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport)
    context.add_init_script(WATCH_CONNECTIONS)
    page = context.new_page()
    # Shown by pytest when the test fails: the page's errors and warnings, for the diagnosis.
    page.on("console", lambda m: m.type in ("error", "warning") and print(f"[{viewport}] {m.text}"))
    page.on("pageerror", lambda e: print(f"[{viewport}] page error: {e}"))
    return page


def _sign_in(page: Any, server: AsgiServer, user: User, device: TOTPDevice | None = None) -> None:
    page.goto(f"{server.http_url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.get_by_label("Authentication code or recovery code").fill(_totp_code(device))
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()


def _inbound(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(INBOUND))


def _until(
    page: Any, done: Callable[[dict[str, Any]], bool], seconds: float = 20
) -> dict[str, Any]:
    """The page's inbound media totals once ``done`` holds of them."""
    deadline = time.monotonic() + seconds
    while True:
        totals = _inbound(page)
        if done(totals) or time.monotonic() > deadline:
            return totals
        time.sleep(0.25)


def _audio_energy_gained(page: Any, seconds: float = 2.5) -> float:
    before = float(_inbound(page)["audioEnergy"])
    time.sleep(seconds)
    return float(_inbound(page)["audioEnergy"]) - before


def test_patient_waits_clinician_admits_they_see_and_hear_each_other_and_chat(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    clinician, device, patient, appointment = _consultation()
    room = f"{asgi_server.http_url}/consultations/{appointment.pk}"
    patient_page = _room_page(chromium, PHONE)
    clinician_page = _room_page(chromium, DESKTOP)
    _sign_in(patient_page, asgi_server, patient)
    _sign_in(clinician_page, asgi_server, clinician.user, device)

    # The patient is first: the waiting room.
    patient_page.goto(room)
    patient_page.get_by_text("The clinician will let you in.", exact=True).wait_for()
    assert patient_page.get_by_label("Your message").is_disabled()
    assert axe_violations(patient_page) == []
    screenshot(patient_page, "consultation-waiting-360")

    # The clinician lets them in.
    clinician_page.goto(room)
    name = patient.profile.display_name
    clinician_page.get_by_role("button", name=f"Let {name} in").click()
    patient_page.get_by_text("In the consultation.", exact=True).wait_for()
    clinician_page.get_by_text("In the consultation.", exact=True).wait_for()

    # Each decodes the other's video and receives the other's audio.
    def flowing(totals: dict[str, Any]) -> bool:
        return bool(totals["framesDecoded"] > 0 and totals["audioPackets"] > 0)

    at_patient = _until(patient_page, flowing)
    at_clinician = _until(clinician_page, flowing)
    if not (flowing(at_patient) and flowing(at_clinician)):
        for who, page in (("patient", patient_page), ("clinician", clinician_page)):
            print(f"{who}'s room messages:", *page.evaluate("() => window.__log"), sep="\n")
    assert at_patient["framesDecoded"] > 0, at_patient
    assert at_patient["audioPackets"] > 0, at_patient
    assert at_clinician["framesDecoded"] > 0, at_clinician
    assert at_clinician["audioPackets"] > 0, at_clinician
    assert at_patient["connections"] == at_clinician["connections"] == 1

    # Chat crosses both ways, into the live region.
    patient_page.get_by_label("Your message").fill("My knee hurts after long runs.")
    patient_page.get_by_role("button", name="Send").click()
    clinician_log = clinician_page.get_by_role("log", name="Chat messages")
    clinician_log.get_by_text("My knee hurts after long runs.").wait_for()
    clinician_page.get_by_label("Your message").fill("Let us look at your last workouts.")
    clinician_page.get_by_role("button", name="Send").click()
    patient_log = patient_page.get_by_role("log", name="Chat messages")
    patient_log.get_by_text("Let us look at your last workouts.").wait_for()
    assert patient_log.get_attribute("aria-live") == "polite"
    assert f"{name} (" in clinician_log.inner_text()
    assert "Dr. Okafor (" in patient_log.inner_text()

    assert axe_violations(patient_page) == []
    assert axe_violations(clinician_page) == []
    screenshot(patient_page, "consultation-call-360")
    screenshot(clinician_page, "consultation-call-1280")

    # Mute: the clinician is told, and hears silence.
    heard = _audio_energy_gained(clinician_page)
    patient_page.get_by_role("button", name="Mute microphone").click()
    clinician_page.get_by_text(f"{name}: microphone muted, camera on.").wait_for()
    time.sleep(0.5)  # what was already in flight
    heard_muted = _audio_energy_gained(clinician_page)
    assert heard > 0
    assert heard_muted < heard / 100, (heard, heard_muted)  # silence (comfort noise at most)
    assert (
        patient_page.get_by_role("button", name="Mute microphone").get_attribute("aria-pressed")
        == "true"
    )

    # The patient's socket drops: it reconnects, the call goes on with the same connection.
    frames_before = _inbound(clinician_page)["framesDecoded"]
    patient_page.evaluate(f"() => {ROOM_SOCKETS}.at(-1).close()")
    patient_page.get_by_text("In the consultation.", exact=True).wait_for()
    patient_page.get_by_label("Your message").fill("Still here.")
    patient_page.get_by_role("button", name="Send").click()
    clinician_log.get_by_text("Still here.").wait_for()
    after = _until(clinician_page, lambda t: t["framesDecoded"] > frames_before + 30)
    assert after["framesDecoded"] > frames_before + 30
    assert after["connections"] == 1
    assert patient_page.evaluate(f"() => {ROOM_SOCKETS}.length") == 2


def test_an_invited_guest_joins_a_three_way_call_and_text_only_stops_the_media(
    asgi_server: AsgiServer, chromium: Any
) -> None:
    clinician, device, patient, appointment = _consultation()
    guest = UserFactory.create(consented=True)
    room = f"{asgi_server.http_url}/consultations/{appointment.pk}"
    pages = {who: _room_page(chromium, PHONE) for who in ("clinician", "patient", "guest")}
    _sign_in(pages["clinician"], asgi_server, clinician.user, device)
    _sign_in(pages["patient"], asgi_server, patient)
    _sign_in(pages["guest"], asgi_server, guest)
    pages["clinician"].goto(room)
    pages["patient"].goto(room)
    pages["clinician"].get_by_role("button", name=f"Let {patient.profile.display_name} in").click()
    pages["patient"].get_by_text("In the consultation.", exact=True).wait_for()

    # The patient invites an interpreter, who enters the code on the room's page.
    pages["patient"].get_by_role("button", name="Invite a caregiver or interpreter").click()
    invitation = pages["patient"].locator("[data-invitation]")
    invitation.get_by_text("Give them this code").wait_for()
    code = invitation.inner_text().rsplit(": ", 1)[1]
    pages["guest"].goto(room)
    pages["guest"].get_by_label("Invitation code").fill(code)
    pages["guest"].get_by_role("button", name="Join as a guest").click()
    pages["guest"].get_by_text("The clinician will let you in.", exact=True).wait_for()
    pages["clinician"].get_by_role("button", name=f"Let {guest.profile.display_name} in").click()

    # Everyone decodes both others' video.
    def both_others(totals: dict[str, Any]) -> bool:
        return totals["connections"] == 2 and all(f > 0 for f in totals["framesEach"])

    for who, page in pages.items():
        totals = _until(page, both_others, seconds=30)
        assert both_others(totals), (who, totals)
    assert axe_violations(pages["guest"]) == []

    # Text only: the patient receives no more media.
    pages["patient"].get_by_label("Text only").check()
    pages["clinician"].get_by_text(f"{patient.profile.display_name} uses text only.").wait_for()
    time.sleep(1.5)  # renegotiated, and what was in flight arrived
    before = _inbound(pages["patient"])
    time.sleep(2)
    after = _inbound(pages["patient"])
    assert after["framesDecoded"] == before["framesDecoded"], (before, after)
    assert after["audioPackets"] == before["audioPackets"], (before, after)
    pages["guest"].get_by_label("Your message").fill("I interpret for Ann.")
    pages["guest"].get_by_role("button", name="Send").click()
    pages["patient"].get_by_role("log", name="Chat messages").get_by_text("I interpret").wait_for()


def test_the_clinician_sees_the_bridges_live_heart_rate_until_the_patient_revokes_the_grant(
    asgi_server: AsgiServer, chromium: Any, tmp_path: Path
) -> None:
    clinician, device, patient, appointment = _consultation()
    relationship = CareRelationship.objects.get(clinician=clinician, patient=patient)
    make_grant(relationship=relationship, category=GrantCategory.SAMPLES)
    _, secret = access_token_create(user=patient, name="Simulator", scope=TokenScope.INGEST)
    room = f"{asgi_server.http_url}/consultations/{appointment.pk}"
    patient_page = _room_page(chromium, PHONE)
    clinician_page = _room_page(chromium, DESKTOP)
    _sign_in(patient_page, asgi_server, patient)
    _sign_in(clinician_page, asgi_server, clinician.user, device)
    clinician_page.goto(room)
    patient_page.goto(room)
    name = patient.profile.display_name
    clinician_page.get_by_role("button", name=f"Let {name} in").click()
    patient_page.get_by_text("In the consultation.", exact=True).wait_for()
    shown = clinician_page.locator("[data-live-hr]")
    spoken = clinician_page.locator("[data-live-hr-spoken]")
    shown.get_by_text("The patient does not share their live heart rate.").wait_for()

    bridge = simulated_athlete(asgi_server.http_url, secret, tmp_path / "journal", duration=90)
    try:
        # The patient turns sharing on; the clinician sees the strap's bpm and its trend.
        patient_page.get_by_label("Share my live heart rate with the clinician").check()
        clinician_page.wait_for_function(
            "el => / bpm$/.test(el.textContent)", arg=shown.element_handle(), timeout=30_000
        )
        assert re.fullmatch(r"\d{2,3} bpm", shown.inner_text())
        assert spoken.get_attribute("aria-live") == "polite"
        assert re.fullmatch(
            r"Heart rate \d{2,3} bpm, (rising|falling|steady)\.", spoken.inner_text()
        )
        assert clinician_page.locator(".room-hr-trend polyline").get_attribute("points")
        assert patient_page.locator("[data-live-hr]").is_hidden()
        assert axe_violations(clinician_page) == []
        assert axe_violations(patient_page) == []
        screenshot(clinician_page, "consultation-live-hr-1280")
        screenshot(patient_page, "consultation-share-hr-360")

        # The patient revokes the samples grant on their care page: the view empties at once, and
        # stays empty while the bridge goes on streaming.
        care = patient_page.context.new_page()
        care.goto(f"{asgi_server.http_url}/care")
        care.get_by_role("button", name="Revoke Heart rate and other samples").click()
        clinician_page.wait_for_function(
            "el => !/ bpm$/.test(el.textContent)", arg=shown.element_handle(), timeout=3_000
        )
        time.sleep(3)
        assert shown.inner_text() in (
            "The patient's grant ended: their heart rate is no longer shown.",
            "The patient shares their heart rate, but has not granted you their samples.",
        )
        assert clinician_page.locator(".room-hr-trend polyline").get_attribute("points") == ""
        assert bridge.poll() is None  # still streaming
    finally:
        bridge.kill()
        bridge.communicate(timeout=30)


def test_someone_else_is_refused_the_room(asgi_server: AsgiServer, chromium: Any) -> None:
    _, _, patient, appointment = _consultation()
    stranger = UserFactory.create(consented=True)
    page = _room_page(chromium, PHONE)
    _sign_in(page, asgi_server, stranger)
    patient_page = _room_page(chromium, PHONE)
    _sign_in(patient_page, asgi_server, patient)

    page.goto(f"{asgi_server.http_url}/consultations/{appointment.pk}")
    page.get_by_text("This consultation does not exist or you take no part in it.").wait_for()
    refused = page.evaluate(OPEN_ROOM, f"/ws/v1/rooms/{appointment.pk}/")

    assert refused == {"opened": False, "code": 1006}
    assert patient_page.evaluate(OPEN_ROOM, f"/ws/v1/rooms/{appointment.pk}/")["opened"] is True
    assert page.evaluate("() => window.__pcs.length") == 0
    assert axe_violations(page) == []
