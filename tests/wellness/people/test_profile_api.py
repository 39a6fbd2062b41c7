"""The profile: who the person is, their physiology, and the consent guarding it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.helpers import ClientFor
from wellness.people.models import Profile, User

pytestmark = pytest.mark.django_db


def test_profile_shows_estimated_max_heart_rate_with_its_formula(
    client_for: ClientFor, user: User
) -> None:
    Profile.objects.filter(user=user).update(birth_year=timezone.now().year - 40)

    body = client_for(user).get("/api/v1/me/").json()

    assert body["max_heart_rate"] is None
    assert body["effective_max_heart_rate"] == {
        "value": 180,
        "source": "estimated",
        "formula": "Tanaka, Monahan & Seals 2001: 208 - 0.7 x age",
    }


def test_measured_max_heart_rate_wins_over_the_estimate(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)

    body = client.patch(
        "/api/v1/me/", {"birth_year": 1980, "max_heart_rate": 191}, format="json"
    ).json()

    assert body["effective_max_heart_rate"] == {"value": 191, "source": "measured", "formula": None}


def test_health_values_are_refused_until_consent_and_nothing_is_stored(
    client_for: ClientFor, user: User
) -> None:
    response = client_for(user).patch(
        "/api/v1/me/", {"weight_kg": "70.5", "display_name": "New"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    profile = Profile.objects.get(user=user)
    assert profile.weight_kg is None
    assert profile.display_name != "New"


def test_non_health_values_need_no_consent(client_for: ClientFor, user: User) -> None:
    response = client_for(user).patch(
        "/api/v1/me/",
        {"display_name": "Runner", "time_zone": "Europe/Ljubljana", "units": "imperial"},
        format="json",
    )

    assert response.status_code == 200
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.time_zone, profile.units) == (
        "Runner",
        "Europe/Ljubljana",
        "imperial",
    )


def test_with_consent_physiology_is_stored(client_for: ClientFor, consenting_user: User) -> None:
    response = client_for(consenting_user).patch(
        "/api/v1/me/",
        {
            "weight_kg": "70.5",
            "resting_heart_rate": 50,
            "max_heart_rate": 190,
            "lactate_threshold_heart_rate": 172,
            "sex": "female",
        },
        format="json",
    )

    assert response.status_code == 200
    profile = Profile.objects.get(user=consenting_user)
    assert profile.weight_kg == Decimal("70.5")
    assert (profile.resting_heart_rate, profile.lactate_threshold_heart_rate) == (50, 172)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"max_heart_rate": 400}, "max_heart_rate"),
        ({"resting_heart_rate": 10}, "resting_heart_rate"),
        ({"weight_kg": "-3"}, "weight_kg"),
        ({"sex": "other-value"}, "sex"),
        ({"units": "furlongs"}, "units"),
        ({"birth_year": "nineteen-eighty"}, "birth_year"),
        ({"birth_year": timezone.now().year - 5}, "birth_year"),
        ({"resting_heart_rate": 100, "max_heart_rate": 100}, "resting_heart_rate"),
    ],
)
def test_invalid_profile_values_get_a_field_error_and_change_nothing(
    client_for: ClientFor, consenting_user: User, changes: dict[str, object], field: str
) -> None:
    before = Profile.objects.values().get(user=consenting_user)

    response = client_for(consenting_user).patch("/api/v1/me/", changes, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Profile.objects.values().get(user=consenting_user) == before


def test_resting_above_stored_maximum_is_refused(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    client.patch("/api/v1/me/", {"max_heart_rate": 105}, format="json")

    response = client.patch("/api/v1/me/", {"resting_heart_rate": 110}, format="json")

    assert response.status_code == 400
    assert Profile.objects.get(user=consenting_user).resting_heart_rate is None


def test_private_profile_is_shown_only_by_its_pseudonym(client_for: ClientFor, user: User) -> None:
    body = (
        client_for(user)
        .patch("/api/v1/me/", {"visibility": "private", "pseudonym": "Quiet Fox"}, format="json")
        .json()
    )

    assert body["public_name"] == "Quiet Fox"
    assert body["display_name"] != "Quiet Fox"


def test_going_private_without_a_pseudonym_is_refused(client_for: ClientFor, user: User) -> None:
    response = client_for(user).patch("/api/v1/me/", {"visibility": "private"}, format="json")

    assert response.status_code == 400
    assert "pseudonym" in response.json()["error"]["fields"]
    assert Profile.objects.get(user=user).visibility == "public"
