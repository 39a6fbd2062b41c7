"""API conventions: one error format, auth on personal data, capped pagination, generated docs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.helpers import ClientFor
from wellness.people.models import User
from wellness.people.services import access_token_create

pytestmark = pytest.mark.django_db

PERSONAL_ENDPOINTS = [
    ("get", "/api/v1/me/"),
    ("patch", "/api/v1/me/"),
    ("delete", "/api/v1/me/"),
    ("get", "/api/v1/me/export/"),
    ("get", "/api/v1/consent/health-data/"),
    ("post", "/api/v1/consent/health-data/"),
    ("get", "/api/v1/tokens/"),
    ("post", "/api/v1/tokens/"),
    ("get", "/api/v1/tokens/1/"),
    ("delete", "/api/v1/tokens/1/"),
]


@pytest.mark.parametrize(("method", "path"), PERSONAL_ENDPOINTS)
def test_personal_endpoints_refuse_anonymous_callers(method: str, path: str) -> None:
    response = getattr(APIClient(), method)(path, {}, format="json")

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_unknown_api_path_is_a_json_404() -> None:
    response = APIClient().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}
    }


def test_malformed_json_is_a_400_in_the_error_format(client_for: ClientFor, user: User) -> None:
    response = client_for(user).generic(
        "PATCH", "/api/v1/me/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert "JSON" in response.json()["error"]["message"]


def test_wrong_method_is_a_405_in_the_error_format(client_for: ClientFor, user: User) -> None:
    response = client_for(user).put("/api/v1/tokens/", {}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_page_size_is_capped(client_for: ClientFor, user: User) -> None:
    for n in range(105):
        access_token_create(user=user, name=f"device {n}")

    body = client_for(user).get("/api/v1/tokens/?page_size=1000").json()

    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert body["next"] is not None


def test_openapi_schema_and_interactive_docs_are_served() -> None:
    schema = APIClient().get("/api/v1/schema/?format=json")
    docs = APIClient().get("/api/v1/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/tokens/{token_id}/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_health_check_answers_without_authentication() -> None:
    assert APIClient().get("/healthz").json() == {"status": "ok"}


def test_an_id_too_large_for_the_database_is_a_404(client_for: ClientFor, user: User) -> None:
    response = client_for(user).get("/api/v1/tokens/165429248847434527801344/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
