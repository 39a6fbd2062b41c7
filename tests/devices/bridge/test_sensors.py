"""A sensor link's notification handling, below bleak (bleak itself: test_bluez_end_to_end.py)."""

from __future__ import annotations

from typing import Any

from devices import profiles
from devices.bridge.sensors import SensorLink


def test_a_malformed_notification_is_counted_and_the_next_one_still_streams() -> None:
    received: list[tuple[str, dict[str, Any]]] = []
    link = SensorLink("c4:7c:8d:6a:00:01", lambda device, sample: received.append((device, sample)))
    on_notification = link._handler(profiles.HeartRate())

    on_notification(None, bytearray.fromhex("104854"))  # type: ignore[arg-type]
    on_notification(None, bytearray.fromhex("0048"))  # type: ignore[arg-type]

    assert (link.frames, link.bad_frames) == (2, 1)
    assert len(received) == 1
    assert received[0][0] == "C4:7C:8D:6A:00:01"
    assert received[0][1]["hr"] == 72
    assert link.latest["hr"] == 72
