"""Worlds' part of the export, and erasure of avatar sessions with the person's health data."""

from __future__ import annotations

import pytest

from tests.factories import WorkoutFactory
from tests.worlds.factories import WorldFactory
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.selectors import user_export
from worlds import services as worlds_services
from worlds.models import AvatarSession

pytestmark = pytest.mark.django_db


def test_the_export_lists_avatar_sessions_with_their_events(consenting_user: User) -> None:
    world = WorldFactory.create(length_m=100)
    workout_id = WorkoutFactory.create(user=consenting_user).pk
    session = worlds_services.session_start(
        user=consenting_user, world_id=world.pk, workout_id=workout_id, sport="walk"
    )
    worlds_services.avatars_advance(
        world_id=world.pk,
        batches={session.pk: [{"t": float(t), "speed": 2.0} for t in range(60)]},
    )

    exported = user_export(user=consenting_user)["worlds"]

    (entry,) = exported["avatar_sessions"]
    assert (entry["workout_id"], entry["status"], entry["distance_m"]) == (
        workout_id,
        "finished",
        100.0,
    )
    assert entry["events"] == [{"kind": "finish", "t": 50.0, "time_s": 50.0}]


def test_erasing_health_data_deletes_avatar_sessions(
    consenting_user: User, other_user: User
) -> None:
    world = WorldFactory.create()
    mine = worlds_services.session_start(
        user=consenting_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=consenting_user).pk,
        sport="run",
    )
    worlds_services.avatars_advance(
        world_id=world.pk, batches={mine.pk: [{"t": 0.0}, {"t": 1.0, "hr": 150}]}
    )
    theirs = worlds_services.session_start(
        user=other_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=other_user).pk,
        sport="run",
    )

    health_data_erase(user_id=consenting_user.pk)

    assert list(AvatarSession.objects.values_list("pk", flat=True)) == [theirs.pk]
