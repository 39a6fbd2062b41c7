"""Every byte is the person's: exportable and erasable."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD
from tests.helpers import ClientFor
from wellness.people.models import AccessToken, ConsentRecord, Profile, User
from wellness.people.services import access_token_create, profile_update

pytestmark = pytest.mark.django_db


def test_export_contains_account_profile_consent_and_tokens(
    client_for: ClientFor, consenting_user: User
) -> None:
    profile_update(user=consenting_user, changes={"weight_kg": 64})
    access_token_create(user=consenting_user, name="strap")

    response = client_for(consenting_user).get("/api/v1/me/export/")

    body = response.json()
    assert response["Content-Disposition"] == 'attachment; filename="wellverse-export.json"'
    assert body["account"]["email"] == consenting_user.email
    assert body["profile"]["weight_kg"] == 64.0
    assert body["consent_records"][0]["granted"] is True
    assert body["access_tokens"][0]["name"] == "strap"
    assert "digest" not in body["access_tokens"][0]


def test_account_deletion_needs_the_password(client_for: ClientFor, consenting_user: User) -> None:
    response = client_for(consenting_user).delete(
        "/api/v1/me/", {"password": "not it"}, format="json"
    )

    assert response.status_code == 400
    assert User.objects.filter(pk=consenting_user.pk).exists()


def test_account_deletion_removes_everything_owned(
    client_for: ClientFor, consenting_user: User
) -> None:
    access_token_create(user=consenting_user, name="strap")

    response = client_for(consenting_user).delete(
        "/api/v1/me/", {"password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert not User.objects.filter(pk=consenting_user.pk).exists()
    assert not Profile.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not AccessToken.objects.exists()
