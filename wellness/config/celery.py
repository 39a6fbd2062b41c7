"""The Celery application. Without REDIS_URL tasks run eagerly in-process (see settings)."""

from __future__ import annotations

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")

app = Celery("wellness")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_objects(**_: Any) -> None:
    """What a worker process has imported and built by now lives as long as it: keep it out of
    every garbage collection, so a full collection scans only what tasks allocate (a scoring chunk
    otherwise paid ~85 ms for one now and then)."""
    gc.freeze()
