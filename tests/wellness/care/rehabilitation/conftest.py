"""Every rehabilitation test finds the shipped exercise library, which a data migration loads:
a transactional test run before it (a browser test's live server) flushes those rows away."""

from __future__ import annotations

import pytest

from wellness.care.models import Exercise
from wellness.care.rehabilitation.catalogue import shipped_exercises_sync


@pytest.fixture(autouse=True)
def shipped_catalogue(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is None:
        return  # the pure modules' tests touch no database
    request.getfixturevalue("db")
    shipped_exercises_sync(Exercise)
