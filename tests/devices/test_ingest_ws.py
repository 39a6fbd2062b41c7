"""``/ws/v1/ingest/``: start, store, ack, publish; every rejection stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pytest_django.fixtures import Settings

from tests.devices.helpers import (
    PATH,
    T0,
    batch_count,
    connected,
    new_token,
    new_workout,
    samples_message,
)
from tests.helpers import channel_layer
from wellness.config.asgi import application
from wellness.core.groups import workout_group
from wellness.people.models import User
from wellness.people.services import access_token_revoke
from wellness.people.websocket import (
    CLOSE_FORBIDDEN,
    CLOSE_RATE_LIMITED,
    CLOSE_TOKEN_REVOKED,
    CLOSE_UNAUTHENTICATED,
)
from wellness.workouts.models import Workout

pytestmark = pytest.mark.django_db(transaction=True)


async def test_start_then_samples_are_stored_and_acked_and_a_resume_lists_them(
    consenting_user: User,
) -> None:
    ws = await connected(consenting_user)
    start = {"type": "start", "client_id": "c-1", "sport": "ride", "indoor": True, "started_at": T0}

    await ws.send_json_to(start)
    started = await ws.receive_json_from(timeout=2)
    workout_id = started["workout_id"]
    await ws.send_json_to(samples_message(workout_id, 1))
    ack = await ws.receive_json_from(timeout=2)
    await ws.send_json_to(start)
    resumed = await ws.receive_json_from(timeout=2)

    assert started == {"type": "started", "workout_id": workout_id, "client_id": "c-1", "acked": {}}
    assert ack == {"type": "ack", "workout_id": workout_id, "device": "strap-1", "seq": 1}
    assert resumed["workout_id"] == workout_id
    assert resumed["acked"] == {"strap-1": 1}
    assert await batch_count() == 1
    await ws.disconnect()


async def test_a_resent_batch_is_acked_again_and_stored_once(consenting_user: User) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    for _ in range(2):
        await ws.send_json_to(samples_message(workout.pk, 1))
        assert (await ws.receive_json_from(timeout=2))["type"] == "ack"

    assert await batch_count() == 1
    await ws.disconnect()


async def test_stored_samples_are_published_to_the_workouts_spectators(
    consenting_user: User,
) -> None:
    workout = await new_workout(consenting_user)
    layer = channel_layer()
    spectator = await layer.new_channel()
    await layer.group_add(workout_group(workout.pk), spectator)
    ws = await connected(consenting_user)

    await ws.send_json_to(samples_message(workout.pk, 1, [{"t": T0, "hr": 150}]))
    await ws.receive_json_from(timeout=2)

    assert await layer.receive(spectator) == {
        "type": "workout.samples",
        "workout_id": workout.pk,
        "user_id": consenting_user.pk,
        "samples": [{"t": T0, "hr": 150}],
    }
    await ws.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "samples", "workout_id": "x", "device": "d", "seq": 1}, "validation_error"),
        (
            {"type": "samples", "device": "d", "seq": 1, "samples": [{"t": T0}]},
            "validation_error",
        ),
        ({"type": "jump"}, "unknown_type"),
        ([1, 2], "malformed"),
    ],
)
async def test_a_malformed_message_gets_an_error_and_the_connection_stays_open(
    consenting_user: User, message: Any, code: str
) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    await ws.send_json_to(message)
    error = await ws.receive_json_from(timeout=2)
    await ws.send_json_to(samples_message(workout.pk, 1))
    after = await ws.receive_json_from(timeout=2)

    assert (error["type"], error["code"]) == ("error", code)
    assert after["type"] == "ack"
    assert await batch_count() == 1
    await ws.disconnect()


@pytest.mark.parametrize(
    "samples",
    [[], [{"hr": 120}], [{"t": T0, "hr": 500}], [{"t": T0}, {"t": T0 + 1, "x": 1}], "nope"],
)
async def test_an_invalid_batch_gets_an_error_with_its_seq_and_stores_nothing(
    consenting_user: User, samples: Any
) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    await ws.send_json_to(samples_message(workout.pk, 7, samples))
    error = await ws.receive_json_from(timeout=2)

    assert (error["type"], error["code"], error["seq"]) == ("error", "validation_error", 7)
    assert "samples" in error["fields"]
    assert await batch_count() == 0
    await ws.disconnect()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('"samples": [{"t": 1764000000.0, "hr": NaN}]', "samples"),  # not RFC 8259 JSON
        ('"samples": [{"t": 1764000000.0, "hr": 123456789012345678901234567890}]', "samples"),
    ],
)
async def test_json_beyond_the_rfc_is_read_as_before_and_refused_with_its_seq(
    consenting_user: User, text: str, field: str
) -> None:
    # orjson refuses NaN and integers past 64 bits; such a batch is still read and refused as a
    # bad batch (with its seq, so the bridge drops it), not as a malformed message.
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    await ws.send_to(
        text_data=f'{{"type": "samples", "workout_id": {workout.pk}, "device": "strap-1", '
        f'"seq": 7, {text}}}'
    )
    error = await ws.receive_json_from(timeout=2)

    assert (error["type"], error["code"], error["seq"]) == ("error", "validation_error", 7)
    assert field in error["fields"]
    assert await batch_count() == 0
    await ws.disconnect()


async def test_text_that_is_not_json_gets_an_error_and_stores_nothing(
    consenting_user: User,
) -> None:
    ws = await connected(consenting_user)

    await ws.send_to(text_data="{not json")

    assert (await ws.receive_json_from(timeout=2))["code"] == "malformed"
    assert await batch_count() == 0
    await ws.disconnect()


async def test_finishing_someone_elses_workout_gets_an_error(
    consenting_user: User, other_user: User
) -> None:
    theirs = await new_workout(other_user)
    ws = await connected(consenting_user)

    await ws.send_json_to({"type": "finish", "workout_id": theirs.pk, "ended_at": T0 + 60})

    assert (await ws.receive_json_from(timeout=2))["code"] == "not_found"
    assert (await database_sync_to_async(Workout.objects.get)(pk=theirs.pk)).status == "active"
    await ws.disconnect()


async def test_finish_ends_the_workout(consenting_user: User) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    ended_at = workout.started_at.timestamp() + 60
    await ws.send_json_to({"type": "finish", "workout_id": workout.pk, "ended_at": ended_at})

    assert await ws.receive_json_from(timeout=2) == {"type": "finished", "workout_id": workout.pk}
    assert (await database_sync_to_async(Workout.objects.get)(pk=workout.pk)).status == "finished"
    await ws.disconnect()


async def test_a_bad_token_is_closed_as_unauthenticated() -> None:
    ws = WebsocketCommunicator(application, PATH, headers=[(b"authorization", b"Bearer wv_x_y")])

    assert await ws.connect() == (False, CLOSE_UNAUTHENTICATED)


async def test_a_user_without_health_consent_is_closed_as_forbidden(user: User) -> None:
    _, secret = await new_token(user)
    ws = WebsocketCommunicator(
        application, PATH, headers=[(b"authorization", f"Bearer {secret}".encode())]
    )

    assert await ws.connect() == (False, CLOSE_FORBIDDEN)


async def test_revoking_the_token_closes_the_open_ingest_socket(consenting_user: User) -> None:
    token_id, secret = await new_token(consenting_user)
    ws = WebsocketCommunicator(
        application, PATH, headers=[(b"authorization", f"Bearer {secret}".encode())]
    )
    await ws.connect()

    await database_sync_to_async(access_token_revoke)(user=consenting_user, token_id=token_id)

    assert await ws.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": CLOSE_TOKEN_REVOKED,
    }


async def test_messages_beyond_the_rate_limit_close_the_socket_unstored(
    consenting_user: User, settings: Settings
) -> None:
    settings.WELLVERSE_INGEST_MESSAGES_PER_SECOND = 0.001
    settings.WELLVERSE_INGEST_MESSAGE_BURST = 2
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    for seq in (1, 2, 3):
        await ws.send_json_to(samples_message(workout.pk, seq))
    replies = [await ws.receive_output(timeout=2) for _ in range(3)]

    assert [r["type"] for r in replies] == ["websocket.send", "websocket.send", "websocket.close"]
    assert replies[2]["code"] == CLOSE_RATE_LIMITED
    assert await batch_count() == 2


@pytest.mark.parametrize(
    "device", ["strap\x1b[31m", "strap\nforged log line", "strap\x00", "\u202e"]
)
async def test_a_device_id_with_control_characters_is_refused_and_nothing_stored(
    consenting_user: User, device: str
) -> None:
    workout = await new_workout(consenting_user)
    ws = await connected(consenting_user)

    await ws.send_json_to(dict(samples_message(workout.pk, 1), device=device))
    error = await ws.receive_json_from(timeout=2)

    assert (error["type"], error["code"]) == ("error", "validation_error")
    assert "printable" in error["fields"]["device"][0]
    assert await batch_count() == 0
    await ws.disconnect()
