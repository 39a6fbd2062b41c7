"""Live samples coalesced per loop turn still reach exactly the members of each workout group."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from devices.live_publish import live_publisher
from tests.helpers import channel_layer

pytestmark = pytest.mark.integration


def _message(workout_id: int, t: float) -> dict[str, Any]:
    return {
        "type": "workout.samples",
        "workout_id": workout_id,
        "user_id": 7,
        "samples": [{"t": t, "hr": 120}],
    }


def test_messages_queued_in_one_loop_turn_reach_each_groups_members_once_in_order() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        layer = channel_layer()
        assert type(layer).__name__ == "RedisPubSubChannelLayer"
        watcher_a, watcher_a2, watcher_c, idle = [await layer.new_channel() for _ in range(4)]
        await layer.group_add("workout-910001", watcher_a)
        await layer.group_add("workout-910001", watcher_a2)
        await layer.group_add("workout-910003", watcher_c)
        await layer.group_add("workout-910004", idle)
        await layer.group_discard("workout-910004", idle)
        publisher = live_publisher(layer)

        publisher.publish("workout-910001", _message(910001, 1.0))
        publisher.publish("workout-910002", _message(910002, 1.0))  # nobody watches
        publisher.publish("workout-910003", _message(910003, 1.0))
        publisher.publish("workout-910001", _message(910001, 2.0))
        publisher.publish("workout-910004", _message(910004, 1.0))  # its watcher left
        await publisher.flush_pending()

        async def drain(channel: str) -> list[Any]:
            received = []
            while True:
                try:
                    received.append(await asyncio.wait_for(layer.receive(channel), timeout=0.3))
                except TimeoutError:
                    return received

        try:
            return (
                await drain(watcher_a),
                await drain(watcher_a2),
                await drain(watcher_c),
                await drain(idle),
            )
        finally:
            for group, channel in (
                ("workout-910001", watcher_a),
                ("workout-910001", watcher_a2),
                ("workout-910003", watcher_c),
            ):
                await layer.group_discard(group, channel)

    a, a2, c, idle = async_to_sync(scenario)()

    assert a == [_message(910001, 1.0), _message(910001, 2.0)]
    assert a2 == [_message(910001, 1.0), _message(910001, 2.0)]
    assert c == [_message(910003, 1.0)]
    assert idle == []
