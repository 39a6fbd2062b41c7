"""The sample store's and the companion sync API's specifications, run again on PostgreSQL.

On PostgreSQL the store takes other paths than on the embedded SQLite: an upload is one statement
that checks consent and ownership and inserts the batch and its Idempotency-Key (parameters bound
on the server), and a still-recording workout loads with one binary aggregate query. So every
acceptance and rejection of ``tests/devices/test_sync_api.py``, the stateful property of
``tests/devices/test_sync_stateful.py`` and the storage tests of
``tests/wellness/test_workout_storage.py`` are checked on it too.
"""

from __future__ import annotations

import pytest

# The same tests, collected here again (star imports bring their fixtures along).
from tests.devices.test_sync_api import *  # noqa: F403
from tests.devices.test_sync_stateful import *  # noqa: F403
from tests.wellness.test_workout_storage import *  # noqa: F403

# Replaces the modules' own mark (django_db) that the star imports brought along.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # type: ignore[assignment]
