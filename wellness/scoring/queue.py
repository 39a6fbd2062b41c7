"""The scoring queue: finished workouts wait as markers until the drain task scores them."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from wellness.scoring.models import ScoringPending
from wellness.scoring.tasks import scoring_drain_schedule


def workouts_scoring_queue(*, workout_ids: Sequence[int]) -> None:
    """Mark finished workouts as waiting to be scored; a drain task runs after the commit."""
    ScoringPending.objects.bulk_create(
        [ScoringPending(workout_id=pk) for pk in workout_ids], ignore_conflicts=True
    )
    transaction.on_commit(scoring_drain_schedule)
