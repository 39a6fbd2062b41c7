"""Fixtures for classes: a live class's occurrence (``admin`` and ``instructor`` are suite-wide)."""

from __future__ import annotations

import pytest

from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes.models import ClassOccurrence, Instructor


@pytest.fixture
def occurrence(instructor: Instructor) -> ClassOccurrence:
    return FitnessClassFactory.create(instructor=instructor).occurrences.get()
