"""Background jobs queued by name, after the commit: a service queues a job without importing the
task that runs it, so a task's own work may queue further jobs without an import cycle. Each app
registers its tasks here from ``AppConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import Task
from django.db import transaction

_tasks: dict[str, Task[..., Any]] = {}


def register_job(name: str, task: Task[..., Any]) -> None:
    """Run ``name`` jobs with ``task``."""
    _tasks[name] = task


def job_enqueue_on_commit(name: str, *args: Any, eta: dt.datetime | None = None) -> None:
    """Queue the ``name`` job with these arguments once the current transaction commits (now if
    none), not before ``eta`` if given. An unregistered name fails here, inside the transaction."""
    task = _tasks[name]
    if eta is None:
        transaction.on_commit(lambda: task.apply_async(args=args))
    else:
        transaction.on_commit(lambda: task.apply_async(args=args, eta=eta))
