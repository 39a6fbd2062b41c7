"""The person app's Celery tasks, gathered where Celery's autodiscovery looks (``<app>.tasks``);
each lives beside the services it calls."""

from wellness.people.tasks import health_data_erase_task
from wellness.scoring.tasks import workouts_score_pending_task

__all__ = ["health_data_erase_task", "workouts_score_pending_task"]
