from __future__ import annotations

import pytest
from django.core.management import call_command

from wellness.people.demo import DEMO_PEOPLE
from wellness.people.models import ConsentRecord, User
from wellness.people.selectors import health_consent_active

pytestmark = pytest.mark.django_db


def test_seed_demo_installs_consenting_demo_people() -> None:
    call_command("seed_demo")

    users = User.objects.filter(email__in=[p.email for p in DEMO_PEOPLE])
    assert users.count() == len(DEMO_PEOPLE)
    assert all(health_consent_active(user=u) for u in users)
    assert all(u.profile.resting_heart_rate for u in users)


def test_seed_demo_twice_changes_nothing() -> None:
    call_command("seed_demo")
    counts = (User.objects.count(), ConsentRecord.objects.count())

    call_command("seed_demo")

    assert (User.objects.count(), ConsentRecord.objects.count()) == counts
