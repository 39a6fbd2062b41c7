"""The companion sync API's specification, run again on PostgreSQL.

On PostgreSQL an upload takes another path than on the embedded SQLite (one statement checks
consent and ownership and inserts the batch and its Idempotency-Key, parameters bound on the
server), so every acceptance and rejection of ``tests/devices/test_sync_api.py`` and the stateful
property of ``tests/devices/test_sync_stateful.py`` are checked on it too.
"""

from __future__ import annotations

import pytest

from tests.devices.test_sync_api import *  # noqa: F403 (the same tests, collected here again)
from tests.devices.test_sync_stateful import *  # noqa: F403

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
