"""factory_boy factories for classes, built through the services as instructors build them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from wellness.classes import services
from wellness.classes.models import FitnessClass, Instructor

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


class FitnessClassFactory(factory.django.DjangoModelFactory[FitnessClass]):
    """``FitnessClassFactory.create(instructor=i)``: a live yoga class starting tomorrow, capacity 2;
    ``on_demand=True``: a breathing class to play any time."""

    class Meta:
        model = FitnessClass

    class Params:
        instructor: Instructor | None = None
        on_demand = factory.Trait(
            title="Evening breath",
            kind="breathing",
            delivery="on_demand",
            first_start_local=None,
            capacity=None,
        )

    user = factory.LazyAttribute(lambda o: o.instructor.user)
    title = "Morning flow"
    kind = "yoga"
    delivery = "live"
    segments = SEGMENTS
    first_start_local = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    )
    time_zone = "UTC"
    capacity: int | None = 2

    @classmethod
    def _create(cls, model_class: type[FitnessClass], *args: Any, **kwargs: Any) -> FitnessClass:
        return services.class_create(**kwargs)
