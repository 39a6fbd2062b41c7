"""``manage.py demo_athlete``: what ``make run`` needs to stream a simulated Ada into a world."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from devices.bridge.journal import Journal
from wellness.people.models import AccessToken, TokenScope
from wellness.people.selectors import access_token_by_secret
from wellness.workouts.models import Workout
from worlds.live import merge_by_time
from worlds.models import AvatarSession, SessionStatus

pytestmark = pytest.mark.django_db


def _prepare(journal: Path, world: str = "lakeside-loop") -> dict[str, str]:
    out = StringIO()
    call_command("demo_athlete", "--world", world, "--journal", str(journal), stdout=out)
    return dict(line.split("=", 1) for line in out.getvalue().splitlines())


def test_demo_athlete_prints_a_working_ingest_token_and_opens_a_session_in_the_world(
    tmp_path: Path,
) -> None:
    call_command("seed_demo", stdout=StringIO())

    printed = _prepare(tmp_path / "journal.sqlite3")

    token = access_token_by_secret(printed["WELLVERSE_TOKEN"])
    assert token is not None
    assert (token.user.email, token.scope) == ("ada@demo.wellverse.test", TokenScope.INGEST)
    session = AvatarSession.objects.get(pk=int(printed["DEMO_SESSION_ID"]))
    assert (session.world.name, session.workout_id, session.status) == (
        "Lakeside Loop", int(printed["DEMO_WORKOUT_ID"]), SessionStatus.ACTIVE,
    )  # fmt: skip
    journal = Journal(tmp_path / "journal.sqlite3")
    client_id = journal.session().client_id  # type: ignore[union-attr]
    journal.close()
    assert Workout.objects.get(pk=session.workout_id).client_id == client_id


def test_demo_athlete_again_resumes_the_unfinished_run_and_revokes_the_old_token(
    tmp_path: Path,
) -> None:
    call_command("seed_demo", stdout=StringIO())
    first = _prepare(tmp_path / "journal.sqlite3")

    second = _prepare(tmp_path / "journal.sqlite3")

    assert (second["DEMO_WORKOUT_ID"], second["DEMO_SESSION_ID"]) == (
        first["DEMO_WORKOUT_ID"], first["DEMO_SESSION_ID"],
    )  # fmt: skip
    assert access_token_by_secret(first["WELLVERSE_TOKEN"]) is None
    assert AccessToken.objects.filter(name="demo simulator", revoked_at__isnull=True).count() == 1


def test_a_new_run_ends_the_previous_runs_avatar(tmp_path: Path) -> None:
    call_command("seed_demo", stdout=StringIO())
    first = _prepare(tmp_path / "journal.sqlite3")
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.session_finished()  # what the bridge does when the server finished the workout
    journal.close()

    second = _prepare(tmp_path / "journal.sqlite3")

    assert second["DEMO_WORKOUT_ID"] != first["DEMO_WORKOUT_ID"]
    assert AvatarSession.objects.get(pk=first["DEMO_SESSION_ID"]).status == SessionStatus.FINISHED
    assert AvatarSession.objects.get(pk=second["DEMO_SESSION_ID"]).status == SessionStatus.ACTIVE


def test_demo_athlete_refuses_an_unknown_world_with_exit_2_naming_the_demo_worlds(
    tmp_path: Path,
) -> None:
    call_command("seed_demo", stdout=StringIO())

    with pytest.raises(CommandError, match="lakeside-loop, summit-switchbacks") as refused:
        _prepare(tmp_path / "journal.sqlite3", world="atlantis")

    assert refused.value.returncode == 2
    assert not AvatarSession.objects.exists()
    assert not AccessToken.objects.filter(name="demo simulator").exists()


def test_demo_athlete_without_the_demo_data_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="run seed_demo first") as refused:
        _prepare(tmp_path / "journal.sqlite3")

    assert refused.value.returncode == 2


def test_samples_of_two_devices_at_one_instant_merge_for_the_avatar() -> None:
    strap = [{"t": 2.0, "hr": 120}, {"t": 1.0, "hr": 119}]
    foot_pod = [{"t": 1.0, "speed": 3.0}, {"t": 2.0, "speed": 3.2, "hr": 99}]

    assert merge_by_time(strap + foot_pod) == [
        {"t": 1.0, "hr": 119, "speed": 3.0},
        {"t": 2.0, "hr": 120, "speed": 3.2},
    ]
