"""The scoring hand-off is a registry the features fill; the scoring core imports none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pytest

from challenges import services as challenges_services
from tests.factories import UserFactory
from wellness.scoring import handoff
from wellness.scoring.handoff import ScoredWorkout
from wellness.scoring.pipeline import workouts_score
from wellness.workouts.services import workout_create_with_samples
from worlds import services as worlds_services

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)


def test_scored_chunks_go_to_challenges_then_worlds_and_no_one_else() -> None:
    assert handoff.receivers() == [
        ("challenges", challenges_services.workouts_scored_apply),
        ("worlds", worlds_services.journeys_advance_many),
    ]


def _recording(name: str, inner: Callable[..., object], calls: list[str]) -> handoff.Receiver:
    def receive(*, scored: Sequence[ScoredWorkout]) -> None:
        calls.append(name)
        inner(scored=scored)

    return receive


@pytest.mark.django_db
def test_a_registered_receiver_gets_each_scored_chunk_after_those_registered_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a receiver registered after the features'
    calls: list[str] = []
    received: list[Sequence[ScoredWorkout]] = []
    for name, receiver in handoff.receivers():
        monkeypatch.setitem(handoff._receivers, name, _recording(name, receiver, calls))
    monkeypatch.setitem(
        handoff._receivers,
        "last",
        _recording("last", lambda *, scored: received.append(scored), calls),
    )
    user = UserFactory.create(consented=True)
    samples = [{"t": START.timestamp() + i, "hr": 130.0, "speed": 3.0} for i in range(600)]
    workout = workout_create_with_samples(
        user=user,
        sport="run",
        indoor=False,
        source="file",
        started_at=START,
        ended_at=START + dt.timedelta(minutes=10),
        samples=samples,
    )
    calls.clear()
    received.clear()

    # When the workout is scored
    workouts_score(workout_ids=[workout.pk])

    # Then every receiver got the chunk once, in registration order
    assert calls == ["challenges", "worlds", "last"]
    assert [[s.workout_id for s in chunk] for chunk in received] == [[workout.pk]]
    assert received[0][0].user_id == user.pk
