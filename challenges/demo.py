"""Demo community and challenge for ``manage.py seed_demo``: idempotent, with the demo people."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from challenges import services
from challenges.models import Challenge, Community, Participant
from wellness.people.demo import DEMO_PEOPLE, demo_user

COMMUNITY = "Lakeside Runners"
CHALLENGE = "Lakeside 100 km"


def seed() -> list[str]:
    lines = []
    owner = demo_user(DEMO_PEOPLE[0].email)
    community = Community.objects.filter(name=COMMUNITY, created_by=owner).first()
    if community is None:
        community = services.community_create(
            user=owner,
            name=COMMUNITY,
            description="Easy miles around the lake, every pace welcome.",
        )
        lines.append(f"created community {COMMUNITY!r}")
    for person in DEMO_PEOPLE[1:]:
        user = demo_user(person.email)
        if not community.memberships.filter(user=user, status="active").exists():
            services.community_join(user=user, community_id=community.pk)
    challenge = Challenge.objects.filter(community=community, title=CHALLENGE).first()
    if challenge is None:
        today = timezone.now().date()
        challenge = services.challenge_create(
            user=owner,
            community_id=community.pk,
            title=CHALLENGE,
            description="Run or walk 100 km together within eight weeks.",
            starts_on=today.replace(day=1),
            ends_on=today.replace(day=1) + dt.timedelta(days=55),
            sports=["run", "walk"],
            goal_type="distance",
            target=100,
        )
        lines.append(f"created challenge {CHALLENGE!r}")
    for person in DEMO_PEOPLE:
        user = demo_user(person.email)
        if not Participant.objects.filter(challenge=challenge, user=user).exists():
            services.challenge_join(user=user, challenge_id=challenge.pk)
    return lines
