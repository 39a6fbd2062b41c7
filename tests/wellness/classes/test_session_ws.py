"""The live class session over real WebSocket connections to the ASGI application."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories import UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes import services
from wellness.classes.models import ClassOccurrence, Instructor
from wellness.config.asgi import application
from wellness.people.models import AccessLogEntry, TokenScope, User
from wellness.people.services import access_token_create
from wellness.people.websocket import CLOSE_NOT_FOUND

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def setup_class(instructor: Instructor, participants: int) -> tuple[int, list[User]]:
    occurrence = FitnessClassFactory.create(
        instructor=instructor, capacity=participants
    ).occurrences.get()
    people = [UserFactory.create(consented=True) for _ in range(participants)]
    for person in people:
        services.booking_create(user=person, occurrence_id=occurrence.pk)
    return occurrence.pk, people


@database_sync_to_async
def secret_for(user: User) -> str:
    return access_token_create(user=user, name="ws", scope=TokenScope.API)[1]


async def connect(user: User, occurrence_id: int) -> WebsocketCommunicator:
    secret = await secret_for(user)
    ws = WebsocketCommunicator(
        application,
        f"/ws/v1/classes/{occurrence_id}/",
        headers=[(b"authorization", f"Bearer {secret}".encode())],
    )
    connected, code = await ws.connect()
    assert connected, code
    return ws


async def receive(ws: WebsocketCommunicator) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json_from(timeout=3)
    return message


@database_sync_to_async
def db_occurrence(occurrence_id: int) -> ClassOccurrence:
    return ClassOccurrence.objects.get(pk=occurrence_id)


async def test_segment_changes_reach_everyone_in_order_and_a_reconnect_resumes(
    instructor: Instructor,
) -> None:
    occurrence_id, people = await setup_class(instructor, 3)
    console = await connect(instructor.user, occurrence_id)
    sockets = [await connect(p, occurrence_id) for p in people]
    for ws in [console, *sockets]:
        first = await receive(ws)
        assert (first["type"], first["state"]["status"], first["state"]["revision"]) == (
            "state", "scheduled", 0,
        )  # fmt: skip

    for action in ("start", "next", "next", "previous"):
        await console.send_json_to({"action": action})
    seen = [[(await receive(ws))["state"] for _ in range(4)] for ws in [console, *sockets]]

    for states in seen:
        assert [(s["revision"], s["status"], s["segment_index"]) for s in states] == [
            (1, "running", 0), (2, "running", 1), (3, "running", 2), (4, "running", 1),
        ]  # fmt: skip
        assert states[1]["segment"]["cue"] == (
            "Breathe in for four, hold for four, out for four, hold for four."
        )
        assert states[1]["segment"]["breathing"]["inhale_s"] == 4.0

    # One participant drops out; the instructor pauses meanwhile; the participant comes back.
    await sockets[0].disconnect()
    await console.send_json_to({"action": "pause"})
    paused = (await receive(console))["state"]
    back = await connect(people[0], occurrence_id)
    resumed = (await receive(back))["state"]

    stored = await db_occurrence(occurrence_id)
    assert (resumed["revision"], resumed["status"], resumed["segment_index"]) == (5, "paused", 1)
    assert resumed["elapsed_s"] == round(stored.segment_elapsed, 3) == paused["elapsed_s"]
    assert resumed["remaining_s"] == round(240 - stored.segment_elapsed, 3)
    for ws in [console, back, *sockets[1:]]:
        await ws.disconnect()


async def test_a_late_joiner_of_a_running_session_gets_the_running_clock(
    instructor: Instructor,
) -> None:
    occurrence_id, people = await setup_class(instructor, 1)
    console = await connect(instructor.user, occurrence_id)
    await receive(console)
    await console.send_json_to({"action": "start"})
    await console.send_json_to({"action": "next"})
    await receive(console)
    await receive(console)

    late = await connect(people[0], occurrence_id)
    state = (await receive(late))["state"]

    assert (state["status"], state["segment_index"], state["next_segment"]) == (
        "running", 1, "Sun salutations",
    )  # fmt: skip
    assert 0 <= state["elapsed_s"] < 2
    assert state["remaining_s"] == pytest.approx(240 - state["elapsed_s"], abs=1e-3)
    await console.disconnect()
    await late.disconnect()


async def test_a_participant_cannot_drive_the_session(instructor: Instructor) -> None:
    occurrence_id, people = await setup_class(instructor, 1)
    ws = await connect(people[0], occurrence_id)
    await receive(ws)

    await ws.send_json_to({"action": "start"})

    assert (await receive(ws))["error"]["code"] == "forbidden"
    assert (await db_occurrence(occurrence_id)).revision == 0
    await ws.disconnect()


async def test_a_bad_segment_number_is_refused_and_changes_nothing(
    instructor: Instructor,
) -> None:
    occurrence_id, _ = await setup_class(instructor, 1)
    console = await connect(instructor.user, occurrence_id)
    await receive(console)
    await console.send_json_to({"action": "start"})
    await receive(console)

    await console.send_json_to({"action": "goto", "index": 7})

    assert (await receive(console))["error"]["code"] == "validation_error"
    stored = await db_occurrence(occurrence_id)
    assert (stored.revision, stored.segment_index) == (1, 0)
    await console.disconnect()


async def test_someone_without_a_place_cannot_join(instructor: Instructor) -> None:
    occurrence_id, _ = await setup_class(instructor, 1)
    waiting, stranger = await database_sync_to_async(UserFactory.create_batch)(2)
    await database_sync_to_async(services.booking_create)(user=waiting, occurrence_id=occurrence_id)

    for person in (waiting, stranger):
        secret = await secret_for(person)
        ws = WebsocketCommunicator(
            application,
            f"/ws/v1/classes/{occurrence_id}/",
            headers=[(b"authorization", f"Bearer {secret}".encode())],
        )
        assert await ws.connect() == (False, CLOSE_NOT_FOUND)


async def test_someone_who_did_not_opt_in_never_appears_in_anyone_elses_messages(
    instructor: Instructor,
) -> None:
    occurrence_id, (quiet_sharer, open_sharer, private) = await setup_class(instructor, 3)

    @database_sync_to_async
    def choose() -> None:
        profile = open_sharer.profile
        profile.pseudonym = "Heron"
        profile.save()
        services.live_share_set(user=quiet_sharer, occurrence_id=occurrence_id, sharing=True)
        services.live_share_set(
            user=open_sharer,
            occurrence_id=occurrence_id,
            sharing=True,
            show_numbers=True,
            use_pseudonym=True,
        )

    await choose()
    console = await connect(instructor.user, occurrence_id)
    sockets = {p.pk: await connect(p, occurrence_id) for p in (quiet_sharer, open_sharer, private)}
    for ws in [console, *sockets.values()]:
        await receive(ws)

    await sockets[private.pk].send_json_to({"action": "hr", "hr": 150})
    refusal = await receive(sockets[private.pk])
    await sockets[quiet_sharer.pk].send_json_to({"action": "hr", "hr": 95})
    await sockets[open_sharer.pk].send_json_to({"action": "hr", "hr": 171})

    zones = [await receive(console) for _ in range(4)]
    others = {pk: [await receive(ws) for _ in range(2)] for pk, ws in sockets.items()}

    assert refusal["error"]["code"] == "not_sharing"
    by_type: dict[str, list[dict[str, Any]]] = {}
    for message in zones:
        by_type.setdefault(message["type"], []).append(message)
    quiet_name = quiet_sharer.profile.display_name
    # The two sharers' sockets are handled concurrently, so their messages may come in any order.
    zone_by_name = {m["sharer"]["name"]: m["sharer"] for m in by_type["zone"]}
    assert sorted(zone_by_name) == sorted([quiet_name, "Heron"])
    assert "hr" not in zone_by_name[quiet_name]
    assert zone_by_name["Heron"]["hr"] == 171
    final_meters = max((m["meters"] for m in by_type["meters"]), key=lambda m: m["sharers"])
    assert final_meters["sharers"] == 2
    assert set(final_meters) == {"sharers", "energy", "calm"}
    assert final_meters["energy"] is not None
    for message in [*zones, *(m for msgs in others.values() for m in msgs)]:
        text = json.dumps(message)
        assert private.profile.display_name not in text
        assert private.email not in text
        assert '"hr": 150' not in text
        assert "171" not in text or message["type"] == "zone"
        assert quiet_name not in text or message["type"] == "zone"
    for ws in [console, *sockets.values()]:
        assert await ws.receive_nothing(timeout=0.1)
        await ws.disconnect()


async def test_the_instructor_receiving_live_heart_rate_is_logged_once_per_sharer(
    instructor: Instructor,
) -> None:
    occurrence_id, (sharer, _) = await setup_class(instructor, 2)
    await database_sync_to_async(services.live_share_set)(
        user=sharer, occurrence_id=occurrence_id, sharing=True, show_numbers=True
    )
    console = await connect(instructor.user, occurrence_id)
    ws = await connect(sharer, occurrence_id)
    await receive(console)
    await receive(ws)

    for bpm in (120, 125, 130):
        await ws.send_json_to({"action": "hr", "hr": bpm})
        await receive(console)
        await receive(console)

    @database_sync_to_async
    def logged() -> list[tuple[int, int, str, str]]:
        return list(
            AccessLogEntry.objects.values_list("subject_id", "accessor_id", "accessor_role", "what")
        )

    assert await logged() == [
        (sharer.pk, instructor.user_id, "instructor", "live heart-rate zone and bpm")
    ]
    await console.disconnect()
    await ws.disconnect()


async def test_a_pseudonymous_sharer_without_a_pseudonym_is_not_named_by_account_id(
    instructor: Instructor,
) -> None:
    occurrence_id, (sharer,) = await setup_class(instructor, 1)
    await database_sync_to_async(services.live_share_set)(
        user=sharer, occurrence_id=occurrence_id, sharing=True, use_pseudonym=True
    )
    console = await connect(instructor.user, occurrence_id)
    ws = await connect(sharer, occurrence_id)
    await receive(console)
    await receive(ws)

    await ws.send_json_to({"action": "hr", "hr": 110})
    zone = next(m for m in [await receive(console), await receive(console)] if m["type"] == "zone")

    name = zone["sharer"]["name"]
    assert name.startswith("Athlete ")
    assert name not in (f"Athlete {sharer.pk % 10_000:04d}", f"Athlete {sharer.pk}")
    assert sharer.profile.display_name not in json.dumps(zone)
    await console.disconnect()
    await ws.disconnect()
