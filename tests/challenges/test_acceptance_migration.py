"""The migration that makes acceptance per challenge keeps acceptances made before it counting
where they counted, and nowhere else (issue 19, point 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from challenges.models import Contribution, ContributionStatus
from challenges.services import challenge_create, challenge_join
from tests.factories import UserFactory, WorkoutFactory
from wellness.scoring.models import BestEffort, StoredScore

# Also on PostgreSQL: the migration's JSON lookups (flags=[]) take another SQL path there.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

# Everything but the acceptance migration (the accounts' own 0011-0012 stay: the test's users need them).
BEFORE = [
    ("wellness", "0012_sign_up_confirmation"),
    ("challenges", "0001_initial"),
    ("classes", "0003_classes_outlive_their_instructor"),
]


@pytest.fixture
def executor() -> Iterator[MigrationExecutor]:
    """The database migrated back to global acceptance; forward again afterwards, whatever
    happens."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_acceptance_made_before_keeps_counting_where_it_counted_only(
    executor: MigrationExecutor,
) -> None:
    old = executor.loader.project_state(BEFORE).apps
    organizer, person = UserFactory.create(), UserFactory.create(consented=True)
    accepted_here = challenge_create(
        user=organizer,
        title="November kilometres",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    still_pending = challenge_create(
        user=UserFactory.create(),
        title="Autumn kilometres",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    here = challenge_join(user=person, challenge_id=accepted_here.pk)
    there = challenge_join(user=person, challenge_id=still_pending.pk)
    flagged = WorkoutFactory.create(user=person, status="finished")
    plain = WorkoutFactory.create(user=person, status="finished")
    accepted_at = timezone.now() - dt.timedelta(days=3)
    old_score = old.get_model("wellness", "StoredScore")
    old_contribution = old.get_model("challenges", "Contribution")
    old_effort = old.get_model("wellness", "BestEffort")
    flags = [{"code": "speed_implausible", "reason": "too fast"}]
    old_score.objects.create(
        workout_id=flagged.pk,
        status="scored",
        flags=flags,
        points=300,
        counts_for_leaderboards=True,
        accepted_by_id=organizer.pk,
        accepted_at=accepted_at,
    )
    old_score.objects.create(
        workout_id=plain.pk, status="scored", flags=[], points=200, counts_for_leaderboards=True
    )
    for participant, workout, status in (
        (here, flagged, "counted"),
        (there, flagged, "pending"),
        (here, plain, "counted"),
    ):
        old_contribution.objects.create(
            participant_id=participant.pk,
            workout_id=workout.pk,
            amount=5000,
            local_date=dt.date(2026, 11, 20),
            ended_at=timezone.now(),
            status=status,
            flags=["speed_implausible"] if workout == flagged else [],
        )
    for workout in (flagged, plain):
        old_effort.objects.create(
            workout_id=workout.pk,
            user_id=person.pk,
            sport="run",
            kind="time",
            name="5 km",
            value=900.0,
            achieved_at=timezone.now(),
        )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    counted = Contribution.objects.get(participant=here, workout_id=flagged.pk)
    pending = Contribution.objects.get(participant=there, workout_id=flagged.pk)
    unflagged = Contribution.objects.get(participant=here, workout_id=plain.pk)
    assert (counted.status, counted.reviewed_by_id, counted.reviewed_at) == (
        ContributionStatus.COUNTED,
        organizer.pk,
        accepted_at,
    )
    assert (pending.status, pending.reviewed_by_id) == (ContributionStatus.PENDING, None)
    assert (unflagged.status, unflagged.reviewed_by_id) == (ContributionStatus.COUNTED, None)
    assert StoredScore.objects.get(workout=flagged).counts_for_leaderboards is False
    assert StoredScore.objects.get(workout=plain).counts_for_leaderboards is True
    assert list(BestEffort.objects.values_list("workout_id", flat=True)) == [plain.pk]
