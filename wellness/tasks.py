"""Background work of the person app. Tasks take ids, call one service and are idempotent."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from wellness import services


@shared_task(acks_late=True)
def health_data_erase_task(user_id: int) -> None:
    services.health_data_erase(user_id=user_id)


# acks_late + reject_on_worker_lost (settings): a worker killed mid-drain leaves the message unacked
# and it is redelivered; the drain is idempotent (each chunk commits its scores and removes its
# markers in one transaction), so running it again, or twice at once, ends in the same state.
# Celery's caveat: with acks_late a task may run more than once, which is why it must be idempotent.
@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def workouts_score_pending_task() -> int:
    try:
        return services.workouts_score_pending(max_chunks=services.SCORING_CHUNKS_PER_TASK)
    except SoftTimeLimitExceeded:
        # The chunk in progress rolled back; let a fresh task carry on where this one stopped.
        services.scoring_drain_schedule()
        return 0


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def workouts_score_task(workout_ids: list[int]) -> int:
    """Score these workouts now (again): for callers that already hold a list of ids."""
    return len(services.workouts_score(workout_ids=workout_ids))
