"""A stateful property: any mix of uploads, retries, duplicates and reordering keeps the stored
series equal to a simple model (first stored batch per (device, seq) wins; samples sharing a
timestamp merge: the first by (device, seq) with a value gives each column, the first with RR
intervals gives the intervals)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from rest_framework.test import APIClient

from benchmarks._sync_client import samples_as_columns
from tests.factories import WorkoutFactory
from wellness.people.models import User
from wellness.workouts.models import Workout
from wellness.workouts.selectors import workout_frame, workout_rr

T0 = 1_764_000_000.0

sample = st.fixed_dictionaries(
    {"t": st.integers(0, 40).map(lambda s: T0 + s)},
    optional={"hr": st.integers(40, 200), "rr": st.lists(st.integers(300, 1500), max_size=2)},
)


class SyncMachine(RuleBasedStateMachine):
    user: User  # set by the test: one consenting user, a new workout per example

    @initialize()
    def setup(self) -> None:
        self.workout: Workout = WorkoutFactory.create(user=self.user)
        self.client = APIClient()
        self.client.force_authenticate(user=self.workout.user)
        self.sent: list[tuple[str, dict[str, Any], int]] = []  # key, body, status
        self.stored: dict[tuple[str, int], list[dict[str, Any]]] = {}

    def _post(self, key: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/api/v1/workouts/{self.workout.pk}/samples/", json.dumps(body),
            content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
        )  # fmt: skip

    @rule(
        device=st.sampled_from(["phone", "watch"]),
        seq=st.integers(1, 6),
        samples=st.lists(sample, min_size=1, max_size=5),
        as_columns=st.booleans(),
    )
    def upload(
        self, device: str, seq: int, samples: list[dict[str, Any]], as_columns: bool
    ) -> None:
        # Either wire format: the per-sample list, or the columns the phone companion sends.
        batch: dict[str, Any] = (
            {"columns": samples_as_columns(samples)} if as_columns else {"samples": samples}
        )
        body = {"device": device, "seq": seq, **batch}
        key = f"{self.workout.pk}-{len(self.sent)}"
        response = self._post(key, body)
        first_time = (device, seq) not in self.stored
        assert response.status_code == (201 if first_time else 200)
        self.stored.setdefault((device, seq), samples)
        self.sent.append((key, body, response.status_code))

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        key, body, status = data.draw(st.sampled_from(self.sent))
        response = self._post(key, body)
        assert response.status_code == status

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def reuse_key_with_other_data(self, data: st.DataObject) -> None:
        key, body, _ = data.draw(st.sampled_from(self.sent))
        changed = dict(body, seq=body["seq"] + 100)
        assert self._post(key, changed).status_code == 422

    @invariant()
    def stored_series_matches_the_model(self) -> None:
        if not hasattr(self, "workout"):
            return
        winners: dict[float, dict[str, Any]] = {}
        for address in sorted(self.stored):
            for s in self.stored[address]:
                merged = winners.setdefault(s["t"], {"t": s["t"]})
                for key in ("hr", "rr"):
                    if s.get(key) and key not in merged:
                        merged[key] = s[key]
        expected_t = sorted(winners)
        frame = workout_frame(workout=self.workout)
        assert frame["t"].tolist() == expected_t
        expected_hr = [float(winners[t].get("hr", "nan")) for t in expected_t]
        assert frame["hr"].fillna(-1).tolist() == [-1 if h != h else h for h in expected_hr]
        expected_rr = [float(ms) for t in expected_t for ms in winners[t].get("rr", [])]
        assert workout_rr(workout=self.workout).tolist() == expected_rr


@pytest.mark.django_db
@pytest.mark.postgresql
def test_uploads_retries_duplicates_and_reordering_keep_the_series_equal_to_the_model(
    consenting_user: User,
) -> None:
    SyncMachine.user = consenting_user
    machine = SyncMachine.TestCase
    machine.settings = settings(
        max_examples=20,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()
