"""Property-based fuzzing of every API operation from the OpenAPI schema: bad input is a 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.factories import UserFactory
from wellness.people.models import TokenScope
from wellness.people.services import access_token_create

schema = (
    schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    # Operations that end the fuzzing session itself (signing out, deleting the account).
    .exclude(path="/api/v1/auth/logout/")
    .exclude(path="/api/v1/me/", method="DELETE")
)


@pytest.fixture
def bearer(db: None) -> dict[str, str]:
    user = UserFactory.create(consented=True)
    _, raw = access_token_create(user=user, name="fuzz", scope=TokenScope.API)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_with_a_server_error(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
