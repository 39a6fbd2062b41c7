"""Background scoring: the drain task that scores waiting workouts a chunk per transaction, and
its scheduling (one queued task at a time)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache

from wellness.scoring.models import ScoringPending
from wellness.scoring.pipeline import workouts_score_pending
from wellness.scoring.selectors import scoring_pending_overdue

SCORING_CHUNKS_PER_TASK = 20  # then a fresh task continues: each task stays well inside its limits
DRAIN_QUEUED_KEY = "scoring:drain-queued"
DRAIN_RECOVERED_KEY = "scoring:drain-recovered"


def scoring_drain_schedule() -> None:
    """Queue one drain task unless one is already queued and not yet started.

    ``cache.add`` is an atomic SET NX on Redis. The task clears the key before it reads the pending
    markers, so a marker committed after that read always finds the key free and queues a new task.
    The key expires with the broker's visibility timeout, after which a lost task is redelivered.
    """
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 600)
    if cache.add(DRAIN_QUEUED_KEY, 1, timeout=timeout):
        workouts_score_pending_task.delay()


def scoring_drain_recover(*, now: dt.datetime, waited: dt.timedelta) -> bool:
    """Queue the drain again if a marker has waited longer than ``waited``; whether it did.

    A marker that old was missed: its task's message was lost, or its worker died and the message
    waits for the broker's visibility timeout. The queued-task key may still name that lost task,
    so it is cleared first. Once per ``waited`` across processes (``cache.add``); a drain already
    running is not disturbed: drains lock their chunks with SKIP LOCKED, so two never score the
    same workout.
    """
    if not scoring_pending_overdue(queued_before=now - waited):
        return False
    if not cache.add(DRAIN_RECOVERED_KEY, 1, timeout=max(1, int(waited.total_seconds()))):
        return False  # another process re-queued it within this period
    cache.delete(DRAIN_QUEUED_KEY)
    scoring_drain_schedule()
    return True


# acks_late + reject_on_worker_lost (settings): a worker killed mid-drain leaves the message unacked
# and it is redelivered; the drain is idempotent (each chunk commits its scores and removes its
# markers in one transaction), so running it again, or twice at once, ends in the same state.
# The name predates the sub-package: messages already queued must still find the task.
@shared_task(
    name="wellness.tasks.workouts_score_pending_task",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def workouts_score_pending_task() -> int:
    cache.delete(DRAIN_QUEUED_KEY)
    try:
        done = workouts_score_pending(max_chunks=SCORING_CHUNKS_PER_TASK)
    except SoftTimeLimitExceeded:
        # The chunk in progress rolled back; let a fresh task carry on where this one stopped.
        scoring_drain_schedule()
        return 0
    if ScoringPending.objects.exists():
        scoring_drain_schedule()
    return done
