"""Property-based fuzzing of every API operation from the OpenAPI schema: bad input is a 4xx, never
a 500, and one person fuzzing every operation against another's ids gets none of their data."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.challenges.factories import ChallengeFactory, CommunityFactory
from tests.factories import UserFactory, WorkoutFactory
from tests.worlds.factories import WorldFactory
from wellness.people.models import TokenScope
from wellness.people.services import access_token_create

schema = (
    schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    # Operations that end the fuzzing session itself (signing out, deleting the account).
    .exclude(path="/api/v1/auth/logout/")
    .exclude(path="/api/v1/me/", method="DELETE")
)


def fuzzed(*, max_examples: int) -> Any:
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def bearer(db: None) -> dict[str, str]:
    user = UserFactory.create(consented=True)
    _, raw = access_token_create(user=user, name="fuzz", scope=TokenScope.API)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
@schema.parametrize()
@fuzzed(max_examples=8)
def test_no_operation_answers_with_a_server_error(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])


# --- Two people: no operation may hand one of them the other's data ------------------------------
VICTIM_MARKERS = {
    "email": "victim.only@example.test",
    "display_name": "Quillon Varga-Nobody",
    "token": "victim-bridge-7f3a",
    "world": "Victim secret valley",
    "community": "Victim private circle",
}


@pytest.fixture
def victim_ids(db: None) -> dict[str, int]:
    """Another person with private data of every kind the path parameters name."""
    victim = UserFactory.create(consented=True, email=VICTIM_MARKERS["email"])
    victim.profile.display_name = VICTIM_MARKERS["display_name"]
    victim.profile.save()
    token, _ = access_token_create(user=victim, name=VICTIM_MARKERS["token"], scope=TokenScope.API)
    world = WorldFactory.create(owner=victim, name=VICTIM_MARKERS["world"], visibility="private")
    club = CommunityFactory.create(
        user=victim, name=VICTIM_MARKERS["community"], visibility="private"
    )
    challenge = ChallengeFactory.create(user=victim, community_id=club.pk)
    return {
        "workout_id": WorkoutFactory.create(user=victim).pk,
        "token_id": token.pk,
        "world_id": world.pk,
        "community_id": club.pk,
        "challenge_id": challenge.pk,
    }


def no_victim_data(ctx: Any, response: Any, case: Any) -> bool:
    """The attacker's answer names none of the victim's private markers."""
    body = response.text if hasattr(response, "text") else response.content.decode(errors="replace")
    leaked = [name for name, marker in VICTIM_MARKERS.items() if marker in body]
    assert not leaked, f"{case.method} {case.formatted_path} returned the victim's {leaked}"
    return True


@pytest.mark.django_db
@schema.parametrize()
@fuzzed(max_examples=4)
def test_no_operation_returns_another_persons_data(
    case: Any, bearer: dict[str, str], victim_ids: dict[str, int]
) -> None:
    # Aim every id in the path at the victim's objects: the attacker must get nothing of them.
    for name in list(case.path_parameters or {}):
        if name in victim_ids:
            case.path_parameters[name] = victim_ids[name]
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, no_victim_data])
