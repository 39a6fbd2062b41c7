"""An error about a live batch names the batch (device and seq), so the bridge can drop it."""

from __future__ import annotations

import pytest

from tests.devices.helpers import (
    T0,
    batch_count,
    connected,
    new_workout,
    samples_message,
)
from wellness.people.models import User

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_refused_batch_error_names_its_device_and_seq(consenting_user: User) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    await ws.send_json_to(samples_message(workout.pk, 3, [{"t": T0, "hr": 500}]))
    error = await ws.receive_json_from(timeout=2)

    assert (error["type"], error["code"], error["device"], error["seq"]) == (
        "error", "validation_error", "strap-1", 3,
    )  # fmt: skip
    assert await batch_count() == 0
    await ws.disconnect()


async def test_samples_for_someone_elses_workout_get_an_error_naming_their_batch_and_store_nothing(
    consenting_user: User, other_user: User
) -> None:
    theirs = await new_workout(other_user)
    ws = await connected(consenting_user)

    await ws.send_json_to(samples_message(theirs.pk, 1))
    error = await ws.receive_json_from(timeout=2)

    assert (error["code"], error["device"], error["seq"]) == ("not_found", "strap-1", 1)
    assert await batch_count() == 0
    await ws.disconnect()


async def test_an_error_about_a_finish_names_no_device(consenting_user: User) -> None:
    ws = await connected(consenting_user)

    await ws.send_json_to({"type": "finish", "workout_id": "x", "device": "strap-1"})
    error = await ws.receive_json_from(timeout=2)

    assert error["type"] == "error"
    assert "device" not in error
    assert "seq" not in error
    await ws.disconnect()
