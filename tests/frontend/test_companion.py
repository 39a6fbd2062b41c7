"""The phone companion in a real browser: a heart-rate strap (an injected navigator.bluetooth that
replays real GATT byte frames from the shared vectors file: no radio exists here) streams through
the live ingest WebSocket, the phone goes offline and keeps recording into IndexedDB, comes back,
and every sample reaches the database exactly once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.frontend.helpers import PHONE, sign_in
from tests.samples import unpack_samples
from tests.servers import AsgiServer
from wellness.people.models import User
from wellness.workouts.models import SampleBatch, Workout

pytestmark = pytest.mark.integration

VECTORS = Path(__file__).resolve().parents[2] / "devices" / "testdata" / "gatt_vectors.json"

# A stand-in for the Web Bluetooth API: one heart-rate strap whose measurement characteristic
# notifies the given byte frames in a loop every 50 ms while `window.__strap.running`.
FAKE_BLUETOOTH = """
(frames) => {
  const bytes = frames.map((hex) => new Uint8Array(hex.match(/../g).map((b) => parseInt(b, 16))));
  const strap = { running: false, sent: 0 };
  window.__strap = strap;
  const characteristic = new EventTarget();
  characteristic.uuid = "00002a37-0000-1000-8000-00805f9b34fb";
  characteristic.startNotifications = async () => {
    setInterval(() => {
      if (!strap.running) return;
      characteristic.value = new DataView(bytes[strap.sent % bytes.length].buffer);
      strap.sent++;
      characteristic.dispatchEvent(new Event("characteristicvaluechanged"));
    }, 50);
    return characteristic;
  };
  const service = { getCharacteristic: async () => characteristic };
  const server = { connect: async () => server, getPrimaryService: async () => service };
  const device = Object.assign(new EventTarget(), { id: "strap-1", name: "Test strap", gatt: server });
  Object.defineProperty(navigator, "bluetooth", { value: { requestDevice: async () => device } });
}
"""


COUNT_OUTBOX = """() => new Promise((done) => {
    const open = indexedDB.open("wellverse-companion");
    open.onsuccess = () => {
        const request = open.result.transaction("outbox").objectStore("outbox").count();
        request.onsuccess = () => done(request.result);
    };
})"""


def heart_rate_vectors() -> list[dict[str, Any]]:
    """The shared file's well-formed heart-rate frames of a beating heart."""
    vectors = json.loads(VECTORS.read_text())["vectors"]
    return [
        v
        for v in vectors
        if v["characteristic"] == "2A37" and not v.get("error") and v["expected"]["hr"] > 0
    ]


def stored_samples(workout: Workout) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    for batch in SampleBatch.objects.filter(workout=workout).order_by("device", "seq"):
        samples += unpack_samples(bytes(batch.data), bytes(batch.rr))
    return samples


def test_samples_recorded_offline_arrive_exactly_once_when_the_phone_is_back(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    vectors = heart_rate_vectors()
    frames = [v["hex"] for v in vectors]
    context = chromium.new_context(viewport=PHONE)
    context.add_init_script(script=f"({FAKE_BLUETOOTH})({json.dumps(frames)})")
    page = context.new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/companion")
    page.get_by_role("button", name="Pair heart-rate strap").click()
    page.get_by_text("Test strap (Heart-rate strap)").wait_for()
    page.get_by_role("button", name="Start workout").click()
    page.get_by_text("Live: streaming to Wellverse.").wait_for()
    page.evaluate("window.__strap.running = true")
    page.wait_for_timeout(5500)

    context.set_offline(True)
    page.get_by_text("Offline: samples are kept on this phone").wait_for()
    page.wait_for_timeout(5500)
    page.evaluate("window.__strap.running = false")
    sent = page.evaluate("window.__strap.sent")
    page.get_by_role("button", name="Finish workout").click()
    waiting = page.evaluate(COUNT_OUTBOX)
    page.goto("about:blank")  # the phone closes the tab while still offline
    context.set_offline(False)
    page.goto(f"{asgi_server.http_url}/companion")
    page.get_by_text(f"Sent {waiting} batch(es) recorded offline.").wait_for()

    workout = Workout.objects.get(user=consenting_user)
    deadline = time.monotonic() + 15
    while len(stored_samples(workout)) < sent and time.monotonic() < deadline:
        time.sleep(0.25)
    samples = stored_samples(workout)
    assert waiting >= 2  # at least one full batch recorded offline, and the final one
    assert page.evaluate(COUNT_OUTBOX) == 0
    assert len(samples) == sent
    assert len({s["t"] for s in samples}) == sent
    assert {s["hr"] for s in samples} == {v["expected"]["hr"] for v in vectors}
