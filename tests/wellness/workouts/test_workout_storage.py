"""Workouts and their stored samples: frames for scoring, file-import storage, finish, privacy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from pytest_django.fixtures import Settings

from tests.factories import UserFactory, WorkoutFactory, hr_samples
from wellness.core.errors import ConsentRequired, NotFound, ValidationFailed
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.selectors import user_export
from wellness.people.services import consent_withdraw
from wellness.workouts.models import SampleBatch, Workout, WorkoutStatus
from wellness.workouts.samples import COLUMNS
from wellness.workouts.selectors import (
    workout_acked_seqs,
    workout_frame,
    workout_rr,
    workout_series,
)
from wellness.workouts.services import (
    workout_create_with_samples,
    workout_finish,
    workout_samples_store,
    workout_start,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

T0 = 1_764_000_000.0
START = dt.datetime.fromtimestamp(T0, tz=dt.UTC)


def test_workout_frame_merges_batches_sorted_by_t_with_unique_t() -> None:
    workout = WorkoutFactory.create()
    store = workout_samples_store
    store(
        user=workout.user,
        workout_id=workout.pk,
        device="strap",
        seq=2,
        samples=hr_samples(T0 + 3, 3),
    )
    store(
        user=workout.user, workout_id=workout.pk, device="strap", seq=1, samples=hr_samples(T0, 4)
    )

    frame = workout_frame(workout=workout)

    assert list(frame.columns) == list(COLUMNS)
    assert frame["t"].tolist() == [T0 + i for i in range(6)]
    assert frame["hr"].tolist() == [120.0, 121.0, 122.0, 123.0, 121.0, 122.0]
    assert frame["power"].isna().all()


def test_devices_sharing_a_timestamp_merge_in_bytewise_device_order() -> None:
    """The order that decides which device gives a value is (device, seq) with devices compared
    bytewise, on every database whatever its collation: "B-pod" before "a-strap"."""
    workout = WorkoutFactory.create()
    for device, sample in (
        ("a-strap", {"t": T0, "hr": 150, "rr": [400.0]}),
        ("B-pod", {"t": T0, "hr": 90, "cadence": 170, "rr": [700.0]}),
        ("b-pod", {"t": T0, "hr": 60, "speed": 3.0}),
    ):
        workout_samples_store(
            user=workout.user, workout_id=workout.pk, device=device, seq=1, samples=[sample]
        )

    frame = workout_frame(workout=workout)

    assert frame[["hr", "cadence", "speed"]].values.tolist() == [[90.0, 170.0, 3.0]]
    assert workout_rr(workout=workout).tolist() == [700.0]


def test_a_workout_loaded_while_recording_gives_the_saved_series_once_it_finished() -> None:
    workout = WorkoutFactory.create()
    for device, seq, start in (("strap", 1, T0), ("strap", 2, T0 + 3), ("pod", 1, T0 + 2)):
        workout_samples_store(
            user=workout.user, workout_id=workout.pk, device=device, seq=seq,
            samples=[dict(s, rr=[500.0 + s["hr"]]) for s in hr_samples(start, 3)],
        )  # fmt: skip
    loaded_while_recording = Workout.objects.get(pk=workout.pk)

    workout_finish(workout_id=workout.pk)

    assert loaded_while_recording.status == WorkoutStatus.ACTIVE
    saved = workout_series(workout=workout.pk)
    merged = workout_series(workout=loaded_while_recording)
    np.testing.assert_array_equal(merged.records, saved.records)
    np.testing.assert_array_equal(merged.rr, saved.rr)
    assert len(saved.records) == 6


def test_workout_rr_returns_intervals_in_time_order() -> None:
    workout = WorkoutFactory.create()
    samples_late = [{"t": T0 + 1, "rr": [510.0, 505.0]}]
    samples_early = [{"t": T0, "rr": [600.0]}]
    workout_samples_store(
        user=workout.user, workout_id=workout.pk, device="a", seq=1, samples=samples_late
    )
    workout_samples_store(
        user=workout.user, workout_id=workout.pk, device="a", seq=2, samples=samples_early
    )

    rr = workout_rr(workout=workout)

    assert rr.dtype == np.float64
    assert rr.tolist() == [600.0, 510.0, 505.0]


def test_an_empty_workout_has_an_empty_frame_with_the_contract_columns() -> None:
    workout = WorkoutFactory.create()

    frame = workout_frame(workout=workout)

    assert (list(frame.columns), len(frame)) == (list(COLUMNS), 0)
    assert workout_rr(workout=workout).tolist() == []


def test_batch_sent_twice_is_stored_once() -> None:
    workout = WorkoutFactory.create()
    args: dict[str, Any] = {"user": workout.user, "workout_id": workout.pk, "device": "d", "seq": 1}

    first = workout_samples_store(**args, samples=hr_samples(T0, 5))
    second = workout_samples_store(**args, samples=hr_samples(T0, 5))

    assert (first.created, second.created) == (True, False)
    assert SampleBatch.objects.count() == 1


def test_samples_of_someone_elses_workout_are_refused_and_not_stored(other_user: User) -> None:
    workout = WorkoutFactory.create()

    with pytest.raises(NotFound):
        workout_samples_store(
            user=other_user, workout_id=workout.pk, device="d", seq=1, samples=hr_samples(T0, 2)
        )

    assert not SampleBatch.objects.exists()


def test_samples_without_consent_are_refused_and_not_stored() -> None:
    workout = WorkoutFactory.create()
    consent_withdraw(user=workout.user)

    with pytest.raises(ConsentRequired):
        workout_samples_store(
            user=workout.user, workout_id=workout.pk, device="d", seq=1, samples=hr_samples(T0, 2)
        )

    assert not SampleBatch.objects.exists()


def test_a_whole_activity_is_stored_in_one_call_as_a_finished_workout(
    consenting_user: User, settings: Settings
) -> None:
    settings.WELLVERSE_MAX_SAMPLES_PER_BATCH = 1000
    samples = hr_samples(T0, 2500)

    workout = workout_create_with_samples(
        user=consenting_user, sport="ride", indoor=True, source="file",
        started_at=START, ended_at=START + dt.timedelta(seconds=2499), samples=samples,
    )  # fmt: skip

    assert workout.status == WorkoutStatus.FINISHED
    assert SampleBatch.objects.filter(workout=workout).count() == 3
    assert workout_frame(workout=workout)["hr"].tolist() == [s["hr"] for s in samples]


def test_an_activity_with_one_bad_sample_stores_nothing(consenting_user: User) -> None:
    samples = [*hr_samples(T0, 10), {"t": T0 + 10, "hr": -5}]

    with pytest.raises(ValidationFailed):
        workout_create_with_samples(
            user=consenting_user, sport="run", indoor=False, source="file",
            started_at=START, ended_at=START, samples=samples,
        )  # fmt: skip

    assert not Workout.objects.exists()
    assert not SampleBatch.objects.exists()


def test_finishing_twice_keeps_the_first_end() -> None:
    workout = WorkoutFactory.create(started_at=START)
    end = START + dt.timedelta(minutes=30)

    workout_finish(workout_id=workout.pk, ended_at=end)
    again = workout_finish(workout_id=workout.pk, ended_at=end + dt.timedelta(hours=1))

    assert (again.status, again.ended_at) == (WorkoutStatus.FINISHED, end)


def test_starting_with_a_known_client_id_resumes_the_same_workout(consenting_user: User) -> None:
    first = workout_start(
        user=consenting_user, sport="run", indoor=True, started_at=START, client_id="abc"
    )
    second = workout_start(
        user=consenting_user, sport="run", indoor=True, started_at=START, client_id="abc"
    )

    assert first.pk == second.pk
    assert Workout.objects.count() == 1


def test_starting_a_workout_without_consent_is_refused_and_creates_nothing(user: User) -> None:
    with pytest.raises(ConsentRequired):
        workout_start(user=user, sport="run", indoor=True, started_at=START)

    assert not Workout.objects.exists()


def test_acked_seqs_stop_at_the_first_gap() -> None:
    workout = WorkoutFactory.create()
    for seq in (1, 2, 4):
        workout_samples_store(
            user=workout.user, workout_id=workout.pk, device="strap", seq=seq,
            samples=hr_samples(T0 + seq, 1),
        )  # fmt: skip

    assert workout_acked_seqs(workout=workout) == {"strap": 2}


def test_export_summarises_workouts_and_erasure_deletes_them_with_their_samples() -> None:
    workout = WorkoutFactory.create()
    kept = WorkoutFactory.create()
    workout_samples_store(
        user=workout.user, workout_id=workout.pk, device="d", seq=1, samples=hr_samples(T0, 3)
    )

    exported = user_export(user=workout.user)["workouts"]
    health_data_erase(user_id=workout.user.pk)

    assert [(w["id"], w["sport"], w["samples"]) for w in exported] == [(workout.pk, "run", 3)]
    assert list(Workout.objects.all()) == [kept]
    assert not SampleBatch.objects.exists()


def test_another_users_export_holds_none_of_my_workouts() -> None:
    WorkoutFactory.create()

    assert user_export(user=UserFactory.create())["workouts"] == []
