"""Fixtures of the appointments' and rooms' tests: a clinician who can be booked and a person in
their care (the care tests' own ``clinician`` has no availability and their ``patient`` no care
yet). Imported by the two packages' conftest modules."""

from __future__ import annotations

import pytest

from tests.wellness.care.factories import care_create, clinician_create, daily_rule_create
from wellness.care.models import ClinicianProfile
from wellness.people.models import User


@pytest.fixture
def clinician(db: None) -> ClinicianProfile:
    """Verified, with daily availability from tomorrow 09:00 UTC (slots 09:00, 09:40, 10:20)."""
    profile = clinician_create()
    daily_rule_create(clinician=profile)
    return profile


@pytest.fixture
def patient(clinician: ClinicianProfile) -> User:
    """A person in active care with ``clinician``."""
    return care_create(clinician=clinician)
