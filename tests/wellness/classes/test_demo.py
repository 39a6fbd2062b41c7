from __future__ import annotations

import pytest
from django.core.management import call_command

from wellness.classes.models import ClassOccurrence, FitnessClass, Instructor

pytestmark = pytest.mark.django_db


def test_seed_demo_installs_an_instructor_a_yoga_and_a_breathing_class_once() -> None:
    call_command("seed_demo")
    occurrences = ClassOccurrence.objects.count()

    call_command("seed_demo")

    assert Instructor.objects.count() == 1
    assert sorted(FitnessClass.objects.values_list("kind", flat=True)) == ["breathing", "yoga"]
    assert ClassOccurrence.objects.count() == occurrences >= 11
