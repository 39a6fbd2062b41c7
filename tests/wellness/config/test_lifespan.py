"""The server's ASGI lifespan: the background loops it runs itself in the embedded default."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from pytest_django.fixtures import Settings

from tests.factories import UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes import services
from wellness.classes.models import ClassOccurrence
from wellness.config import lifespan as server_lifespan

pytestmark = pytest.mark.django_db(transaction=True)


def forgotten_session() -> int:
    """A live class its instructor started 30 minutes ago (the class is 11 minutes long, so it
    counts as forgotten after 16.5) and never ended."""
    admin = UserFactory.create(is_staff=True)
    person = UserFactory.create(consented=True)
    instructor = services.instructor_grant(granted_by=admin, user_id=person.pk)
    occurrence = FitnessClassFactory.create(instructor=instructor).occurrences.get()
    services.session_control(user=person, occurrence_id=occurrence.pk, action="start")
    started = (timezone.now() - dt.timedelta(minutes=30)).timestamp()
    ClassOccurrence.objects.filter(pk=occurrence.pk).update(
        timeline=[{"t": started, "segment": 0, "status": "running"}],
        running_since=timezone.now() - dt.timedelta(minutes=30),
    )
    return occurrence.pk


async def serve_for(seconds: float) -> list[str]:
    """Run the lifespan protocol: startup, ``seconds`` of serving, shutdown; the replies."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    replies: list[str] = []

    async def send(message: dict[str, Any]) -> None:
        replies.append(message["type"])

    await inbox.put({"type": "lifespan.startup"})
    server = asyncio.create_task(server_lifespan.lifespan({"type": "lifespan"}, inbox.get, send))
    await asyncio.sleep(seconds)
    await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(server, timeout=5)
    return replies


async def test_the_embedded_server_ends_a_forgotten_class_session_itself(
    settings: Settings,
) -> None:
    # The embedded default runs tasks at once: the check queued at the start has already run.
    assert settings.CELERY_TASK_ALWAYS_EAGER
    occurrence_id = await sync_to_async(forgotten_session)()
    status = await ClassOccurrence.objects.values_list("status", flat=True).aget(pk=occurrence_id)
    assert status == "running"

    replies = await serve_for(1.0)

    assert replies == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    status = await ClassOccurrence.objects.values_list("status", flat=True).aget(pk=occurrence_id)
    assert status == "ended"


async def test_with_a_real_worker_the_server_leaves_overdue_sessions_to_the_queued_task(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WELLVERSE_WORLDS_LIVE_IN_SERVER = False
    occurrence_id = await sync_to_async(forgotten_session)()
    settings.CELERY_TASK_ALWAYS_EAGER = False

    await serve_for(0.5)

    status = await ClassOccurrence.objects.values_list("status", flat=True).aget(pk=occurrence_id)
    assert status == "running"
