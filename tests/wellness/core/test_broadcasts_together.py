"""Broadcast batches queued in one ``broadcasts_together`` block go out after the commit, in order,
in one send; a batch of a rolled-back savepoint or transaction is never sent."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from tests.helpers import memory_layer
from tests.wellness.scoring.helpers import import_workout, steady_run
from wellness.core import transactions
from wellness.core.groups import user_group
from wellness.people.models import User
from wellness.scoring.models import Progress
from wellness.scoring.pipeline import workouts_score

pytestmark = pytest.mark.django_db


def _listen(group: str) -> Any:
    layer = memory_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)

    def drained() -> list[Any]:
        queue = layer.channels.get(channel)
        out = []
        while queue and not queue.empty():
            out.append(async_to_sync(layer.receive)(channel)["n"])
        return out

    return drained


def test_batches_in_one_block_are_sent_once_in_order_after_the_commit(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    received = _listen("g")
    sends: list[int] = []
    real = transactions.broadcast_many

    def counted(messages: Any) -> None:
        sends.append(len(messages))
        real(messages)

    monkeypatch.setattr(transactions, "broadcast_many", counted)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with transactions.broadcasts_together():
            transactions.broadcast_many_on_commit([("g", {"type": "x", "n": 1})])
            transactions.broadcast_many_on_commit([])
            transactions.broadcast_many_on_commit(
                [("g", {"type": "x", "n": 2}), ("g", {"type": "x", "n": 3})]
            )
        assert received() == []  # nothing before the commit

    assert received() == [1, 2, 3]
    assert sends == [3]


def test_a_batch_of_a_rolled_back_savepoint_is_not_sent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    received = _listen("g")

    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        transactions.broadcasts_together(),
    ):
        transactions.broadcast_many_on_commit([("g", {"type": "x", "n": 1})])
        try:
            with transaction.atomic():
                transactions.broadcast_many_on_commit([("g", {"type": "x", "n": 2})])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        transactions.broadcast_many_on_commit([("g", {"type": "x", "n": 3})])

    assert received() == [1, 3]


def test_nothing_is_sent_when_the_block_fails(django_capture_on_commit_callbacks: Any) -> None:
    received = _listen("g")

    def fail() -> None:
        with transaction.atomic(), transactions.broadcasts_together():
            transactions.broadcast_many_on_commit([("g", {"type": "x", "n": 1})])
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        fail()

    assert received() == []
    assert callbacks == []


def test_a_scoring_chunk_announces_level_ups_and_badges_after_its_commit(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    layer = memory_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(consenting_user.pk), channel)
    workouts = [import_workout(consenting_user, steady_run(minutes=60)) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        workouts_score(workout_ids=[w.pk for w in workouts])

    events = []
    queue = layer.channels.get(channel)
    while queue and not queue.empty():
        events.append(async_to_sync(layer.receive)(channel)["event"])
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "level"
    assert events[0]["xp"] == Progress.objects.get(user=consenting_user).xp
    assert ("badge", "first_workout") in [(e["kind"], e.get("badge")) for e in events]
