"""Live publishing for spectators: a stalled channel layer costs dropped live values, not memory."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer

from devices import live_publish
from devices.live_publish import LivePublisher


class StalledLayer(InMemoryChannelLayer):
    """A layer whose sends wait until released, like Redis that stopped answering."""

    def __init__(self) -> None:
        super().__init__()
        self.released = asyncio.Event()
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self.released.wait()
        self.sent.append((group, message))


async def test_a_stalled_layer_holds_a_bounded_number_of_flushes_and_counts_what_it_dropped() -> (
    None
):
    layer = StalledLayer()
    publisher = LivePublisher(layer)
    turns = live_publish.MAX_FLUSHES_IN_FLIGHT + 10

    for turn in range(turns):
        publisher.publish("workout-1", {"type": "workout.samples", "turn": turn})
        await asyncio.sleep(0)  # the next loop turn: its flush starts and waits on the layer
        await asyncio.sleep(0)

    assert len(publisher._tasks) == live_publish.MAX_FLUSHES_IN_FLIGHT
    assert publisher.dropped == 10
    layer.released.set()
    await publisher.flush_pending()
    # What was sent went out once each, in order; the newest were the ones dropped.
    assert [m["turn"] for _, m in layer.sent] == list(range(live_publish.MAX_FLUSHES_IN_FLIGHT))
    # Once the layer answers again, new values go out.
    publisher.publish("workout-1", {"type": "workout.samples", "turn": turns})
    await publisher.flush_pending()
    assert layer.sent[-1][1]["turn"] == turns
