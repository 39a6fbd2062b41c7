from __future__ import annotations

import pytest
from django.core.management import call_command

from challenges.models import Challenge, Community, Membership, Participant
from wellness.people.demo import DEMO_PEOPLE

pytestmark = pytest.mark.django_db


def test_seed_demo_installs_a_community_and_challenge_once() -> None:
    call_command("seed_demo")
    counts = (Community.objects.count(), Challenge.objects.count(), Participant.objects.count())

    call_command("seed_demo")

    assert counts == (1, 1, len(DEMO_PEOPLE))
    assert (
        Community.objects.count(),
        Challenge.objects.count(),
        Participant.objects.count(),
        Membership.objects.count(),
    ) == (1, 1, len(DEMO_PEOPLE), len(DEMO_PEOPLE))
