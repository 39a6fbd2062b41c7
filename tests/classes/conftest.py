"""Fixtures for classes: an instructor and classes built through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from wellness.classes import services
from wellness.classes.models import ClassOccurrence, FitnessClass, Instructor
from wellness.people.models import User

SEGMENTS: list[dict[str, Any]] = [
    {
        "name": "Arrive",
        "duration_s": 120,
        "cue": "Sit tall, soften the shoulders.",
        "target_zone": 1,
    },
    {
        "name": "Box breathing",
        "duration_s": 240,
        "cue": "Breathe in for four, hold for four, out for four, hold for four.",
        "breathing": {"inhale_s": 4, "hold_s": 4, "exhale_s": 4, "hold_out_s": 4},
    },
    {
        "name": "Sun salutations",
        "duration_s": 300,
        "cue": "Flow with the breath.",
        "target_zone": 2,
    },
]


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory.create(is_staff=True)


@pytest.fixture
def instructor(db: None, admin: User) -> Instructor:
    person = UserFactory.create(consented=True)
    return services.instructor_grant(granted_by=admin, user_id=person.pk)


def live_class(instructor: Instructor, *, capacity: int = 2, **extra: Any) -> FitnessClass:
    start = (timezone.now() + dt.timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    fields: dict[str, Any] = {
        "title": "Morning flow",
        "kind": "yoga",
        "delivery": "live",
        "segments": SEGMENTS,
        "first_start_local": start,
        "time_zone": "UTC",
        "capacity": capacity,
    }
    fields.update(extra)
    return services.class_create(user=instructor.user, **fields)


def on_demand_class(instructor: Instructor, **extra: Any) -> FitnessClass:
    fields: dict[str, Any] = {
        "title": "Evening breath",
        "kind": "breathing",
        "delivery": "on_demand",
        "segments": SEGMENTS,
    }
    fields.update(extra)
    return services.class_create(user=instructor.user, **fields)


@pytest.fixture
def occurrence(instructor: Instructor) -> ClassOccurrence:
    return live_class(instructor).occurrences.get()
