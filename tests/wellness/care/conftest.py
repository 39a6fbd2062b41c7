"""Fixtures for care: a verified clinician, a consenting patient and their active relationship."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.wellness.care.factories import make_clinician, make_relationship
from wellness.care.models import CareRelationship, ClinicianProfile
from wellness.people.models import User


@pytest.fixture
def clinician(db: None) -> ClinicianProfile:
    return make_clinician()


@pytest.fixture
def patient(db: None) -> User:
    return UserFactory.create(consented=True)


@pytest.fixture
def relationship(patient: User, clinician: ClinicianProfile) -> CareRelationship:
    return make_relationship(patient=patient, clinician=clinician)
