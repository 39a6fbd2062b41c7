"""The scoring_pipeline benchmark's naive baseline as a Celery task: one task per workout. The
benchmark's worker imports it (``--include``); the application has no such task."""

from __future__ import annotations

from celery import shared_task

from wellness.scoring.pipeline import workouts_score


@shared_task(name="benchmarks.workouts_score_task", acks_late=True)
def workouts_score_task(workout_ids: list[int]) -> int:
    return len(workouts_score(workout_ids=workout_ids))
