"""factory_boy factories for the person app."""

from __future__ import annotations

from typing import Any

import factory

from wellness import services
from wellness.models import Profile, User

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
            services.consent_grant(user=user)
