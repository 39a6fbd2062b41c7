"""Organizer rights come from the current role, checked at each action (issue 19, point 3)."""

from __future__ import annotations

from typing import Any

import pytest

from challenges import services
from challenges.models import Participant, ParticipantStatus
from tests.challenges.factories import ChallengeFactory, CommunityFactory
from wellness.people.models import User

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("post", "announce/", {"message": "Last week!"}),
    ("get", "results.csv", None),
    ("get", "pending/", None),
]


def _community_challenge(owner: User, organizer: User) -> tuple[int, int]:
    community = CommunityFactory.create(user=owner)
    services.community_join(user=organizer, community_id=community.pk)
    services.membership_set_role(
        user=owner, community_id=community.pk, member_id=organizer.pk, role="organizer"
    )
    challenge = ChallengeFactory.create(user=organizer, community_id=community.pk)
    return community.pk, challenge.pk


@pytest.mark.parametrize("ends", ["demoted", "left"])
def test_a_creator_who_is_no_longer_an_organizer_loses_every_organizer_action(
    client_for: Any, consenting_user: User, other_user: User, ends: str
) -> None:
    community_id, challenge_id = _community_challenge(consenting_user, other_user)
    services.challenge_join(user=consenting_user, challenge_id=challenge_id)
    client = client_for(other_user)
    assert client.get(f"/api/v1/challenges/{challenge_id}/pending/").status_code == 200

    if ends == "demoted":
        services.membership_set_role(
            user=consenting_user, community_id=community_id, member_id=other_user.pk, role="member"
        )
    else:
        services.community_leave(user=other_user, community_id=community_id)

    for method, path, body in ACTIONS:
        response = getattr(client, method)(
            f"/api/v1/challenges/{challenge_id}/{path}", body, format="json"
        )
        assert response.status_code in (403, 404), (path, response.status_code)
    participant = Participant.objects.get(challenge_id=challenge_id, user=consenting_user)
    removal = client.post(
        f"/api/v1/challenges/{challenge_id}/participants/{participant.pk}/remove/"
    )
    assert removal.status_code in (403, 404)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.ACTIVE
