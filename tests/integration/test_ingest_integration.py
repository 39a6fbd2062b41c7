"""Ingest against the real services: racing uploads on PostgreSQL, live ingest through uvicorn."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from typing import Any

import pytest
import websockets
from asgiref.sync import async_to_sync
from django.db import connection

from tests.factories import WorkoutFactory, hr_samples
from tests.servers import AsgiServer
from wellness.people.models import TokenScope, User
from wellness.people.services import access_token_create
from wellness.workouts.models import IdempotencyKey, SampleBatch
from wellness.workouts.selectors import workout_frame, workout_rr
from wellness.workouts.services import (
    _batch_insert,
    sample_batches_store_many,
    workout_finish,
    workout_samples_store,
    workout_samples_sync,
)

pytestmark = pytest.mark.integration

T0 = 1_764_000_000.0
RACERS = 6


def test_concurrent_identical_uploads_store_one_copy_and_get_one_answer(
    transactional_db: None, consenting_user: User
) -> None:
    workout = WorkoutFactory.create(user=consenting_user)
    body = {"device": "phone", "seq": 1, "samples": hr_samples(T0, 600)}
    raw = json.dumps(body).encode()
    barrier = threading.Barrier(RACERS)
    answers: list[Any] = []

    def race() -> None:
        try:
            barrier.wait()
            answers.append(
                workout_samples_sync(
                    user=consenting_user,
                    workout_id=workout.pk,
                    idempotency_key="same",
                    body=raw,
                    **body,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == RACERS
    assert {json.dumps(a, sort_keys=True) for a in answers} == {
        json.dumps((201, answers[0][1]), sort_keys=True)
    }
    assert SampleBatch.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert len(workout_frame(workout=workout)) == 600


def test_concurrent_uploads_of_one_batch_under_different_keys_store_it_once(
    transactional_db: None, consenting_user: User
) -> None:
    workout = WorkoutFactory.create(user=consenting_user)
    body = {"device": "phone", "seq": 1, "samples": hr_samples(T0, 60)}
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []

    def race(key: str) -> None:
        try:
            barrier.wait()
            status, _ = workout_samples_sync(
                user=consenting_user,
                workout_id=workout.pk,
                idempotency_key=key,
                body=json.dumps(body).encode(),
                **body,
            )
            statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(f"k{i}",)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] * (RACERS - 1) + [201]
    assert SampleBatch.objects.count() == 1


def test_live_ingest_through_uvicorn_stores_acks_and_syncs_over_http(
    asgi_server: AsgiServer, consenting_user: User
) -> None:
    _, secret = access_token_create(user=consenting_user, name="bridge", scope=TokenScope.INGEST)
    auth = {"Authorization": f"Bearer {secret}"}

    async def stream() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/v1/ingest/", additional_headers=auth
        ) as ws:
            await ws.send(json.dumps({"type": "start", "sport": "run", "started_at": T0}))
            started = json.loads(await asyncio.wait_for(ws.recv(), 5))
            replies = [started]
            for seq in (1, 2, 3):
                await ws.send(
                    json.dumps(
                        {
                            "type": "samples",
                            "workout_id": started["workout_id"],
                            "device": "strap",
                            "seq": seq,
                            "samples": hr_samples(T0 + seq, 1),
                        }
                    )
                )
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            return replies

    replies = async_to_sync(stream)()
    workout_id = replies[0]["workout_id"]
    late = json.dumps({"device": "phone", "seq": 1, "samples": hr_samples(T0 + 100, 5)}).encode()
    request = urllib.request.Request(
        f"{asgi_server.http_url}/api/v1/workouts/{workout_id}/samples/",
        data=late,
        method="POST",
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": "late-1"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201

    assert [r["seq"] for r in replies[1:]] == [1, 2, 3]
    assert workout_frame(workout=workout_id)["t"].tolist() == [
        T0 + 1, T0 + 2, T0 + 3, *(T0 + 100 + i for i in range(5)),
    ]  # fmt: skip


def test_one_group_write_stores_new_batches_and_refuses_others_without_storing(
    transactional_db: None, consenting_user: User, other_user: User
) -> None:
    from tests.factories import UserFactory
    from wellness.core.errors import ConsentRequired, NotFound
    from wellness.workouts.samples import pack_samples
    from wellness.workouts.services import PendingBatch

    mine = WorkoutFactory.create(user=consenting_user)
    theirs = WorkoutFactory.create(user=other_user)
    unconsented = UserFactory.create()
    theirs_too = WorkoutFactory.create(user=unconsented)
    packed = pack_samples(hr_samples(T0, 3))
    workout_samples_store(
        user=consenting_user, workout_id=mine.pk, device="d", seq=1, samples=hr_samples(T0, 3)
    )

    outcomes = sample_batches_store_many(
        batches=[
            PendingBatch(consenting_user.pk, mine.pk, "d", 2, packed),
            PendingBatch(consenting_user.pk, mine.pk, "d", 1, packed),
            PendingBatch(consenting_user.pk, theirs.pk, "d", 1, packed),
            PendingBatch(unconsented.pk, theirs_too.pk, "d", 1, packed),
            PendingBatch(consenting_user.pk, mine.pk, "d", 2, packed),
        ]
    )

    assert outcomes[:2] == [True, False]
    assert isinstance(outcomes[2], NotFound)
    assert isinstance(outcomes[3], ConsentRequired)
    assert outcomes[4] is False
    assert sorted(SampleBatch.objects.values_list("workout_id", "seq")) == [
        (mine.pk, 1), (mine.pk, 2),
    ]  # fmt: skip


def test_group_writes_of_any_size_store_the_same_rows_as_one_insert_per_batch(
    transactional_db: None, consenting_user: User
) -> None:
    from wellness.workouts.samples import pack_samples
    from wellness.workouts.services import PendingBatch

    grouped = WorkoutFactory.create(user=consenting_user)
    single = WorkoutFactory.create(user=consenting_user)
    batches = [
        pack_samples([{"t": T0 + i, "hr": 100 + i, "rr": [600.0, 610.5]}]) for i in range(6)
    ] + [pack_samples(hr_samples(T0 + 10, 3_600)), pack_samples([{"t": T0 + 4_000}])]
    devices = ["strap", "pod", "ménage-à-trois", "strap", "pod", "strap", "phone", "phone"]
    seqs = [1, 1, 2**31 - 1, 2, 2, 3, 70_000, 1]
    for start, stop in [(0, 1), (1, 4), (4, 8)]:  # one, three and four batches a statement
        outcomes = sample_batches_store_many(
            batches=[
                PendingBatch(consenting_user.pk, grouped.pk, devices[i], seqs[i], batches[i])
                for i in range(start, stop)
            ]
        )
        assert outcomes == [True] * (stop - start)
    for i, packed in enumerate(batches):
        assert _batch_insert(workout_id=single.pk, device=devices[i], seq=seqs[i], packed=packed)

    def rows(workout_id: int) -> list[tuple[Any, ...]]:
        fields = ("device", "seq", "count", "rr_count", "t_first", "t_last", "data", "rr")
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in SampleBatch.objects.filter(workout_id=workout_id)
            .order_by("device", "seq")
            .values_list(*fields)
        ]

    assert len(rows(grouped.pk)) == 8
    assert rows(grouped.pk) == rows(single.pk)
    again = sample_batches_store_many(
        batches=[PendingBatch(consenting_user.pk, grouped.pk, "strap", 1, batches[0])]
    )
    assert again == [False]
    assert len(rows(grouped.pk)) == 8


def test_a_finished_workout_loads_its_saved_series_and_still_sees_late_batches(
    transactional_db: None, consenting_user: User
) -> None:
    from wellness.workouts.models import Workout

    workout = WorkoutFactory.create(user=consenting_user)
    for seq in (2, 1):
        workout_samples_store(
            user=consenting_user, workout_id=workout.pk, device="strap", seq=seq,
            samples=[{"t": T0 + seq, "hr": 100 + seq, "rr": [600.0 + seq]}],
        )  # fmt: skip
    before = workout_frame(workout=workout)

    workout_finish(workout_id=workout.pk)
    saved = Workout.objects.get(pk=workout.pk)
    after = workout_frame(workout=workout)
    workout_samples_store(
        user=consenting_user, workout_id=workout.pk, device="phone", seq=1,
        samples=[{"t": T0 + 3, "hr": 110}],
    )  # fmt: skip
    late = workout_frame(workout=workout)

    assert saved.series_batches == 2
    assert after.equals(before)
    assert workout_rr(workout=workout).tolist() == [601.0, 602.0]
    assert late["hr"].tolist() == [101.0, 102.0, 110.0]
