"""factory_boy factories for the person app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from wellness.people.models import Profile, User
from wellness.people.services import consent_grant
from wellness.workouts.models import Workout

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"athlete{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def profile(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            Profile.objects.create(user=user, display_name=user.email.split("@")[0], **kwargs)
            user.save()

    @factory.post_generation
    def consented(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            consent_grant(user=user)


class WorkoutFactory(factory.django.DjangoModelFactory[Workout]):
    class Meta:
        model = Workout

    user = factory.SubFactory(UserFactory, consented=True)
    sport = "run"
    indoor = False
    started_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC))
    source = "bridge"


def hr_samples(start: float, count: int, *, hr: float = 120.0, step: float = 1.0) -> list[Any]:
    """``count`` samples from ``start`` every ``step`` seconds with a rising heart rate."""
    return [{"t": start + i * step, "hr": hr + i % 50} for i in range(count)]
