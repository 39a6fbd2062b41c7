"""What the audit trail costs a read of someone else's health data, on PostgreSQL.

An organizer reads a member's flagged workout (the challenge's pending contributions, through the
whole HTTP stack), audited as shipped, against the same request with the access-log write left
out. Rounds alternate between the two so machine load hits both alike; the figure is the
difference of the medians.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = "audit: an organizer reading a member's flagged workout, audited vs not (PostgreSQL)"


def _scenario() -> tuple[Any, Any, str]:
    """An organizer, a member and the URL of the member's flagged workout awaiting review."""
    from benchmarks._scratch_db import bench_user
    from challenges import services
    from wellness.people.models import Profile
    from wellness.people.services import consent_grant
    from wellness.scoring.handoff import ScoredWorkout

    organizer: Any = bench_user("organizer@bench.wellverse.test")
    member: Any = bench_user("member@bench.wellverse.test")
    consent_grant(user=member)
    for person, name in ((organizer, "Bench organizer"), (member, "Bench member")):
        Profile.objects.get_or_create(user=person, defaults={"display_name": name})
    today = dt.datetime.now(dt.UTC).date()
    club = services.community_create(user=organizer, name=f"Audit bench {time.time_ns()}")
    services.community_join(user=member, community_id=club.pk)
    challenge = services.challenge_create(
        user=organizer,
        title="Audit bench",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=30),
        goal_type="distance",
        community_id=club.pk,
    )
    services.challenge_join(user=member, challenge_id=challenge.pk)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    services.workouts_scored_apply(
        scored=[
            ScoredWorkout(
                workout_id=time.time_ns() % 2**40,
                user_id=member.pk,
                sport="run",
                indoor=False,
                started_at=started,
                ended_at=started + dt.timedelta(minutes=30),
                duration_s=1800,
                moving_time_s=1800,
                distance_m=5000,
                elevation_gain_m=0,
                active_minutes=30,
                zone_minutes=(0, 30, 0, 0, 0),
                training_load=40,
                mindful_minutes=0,
                calories_kcal=300,
                points=100,
                effort_distance_m=5000,
                counts_for_leaderboards=False,
                flags=("implausible_speed",),
            )
        ]
    )
    return organizer, member, f"/api/v1/challenges/{challenge.pk}/pending/"


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from unittest import mock

    from rest_framework.test import APIClient

    from challenges import api as challenges_api
    from wellness.people.models import AccessLogEntry

    organizer, member, url = _scenario()
    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(user=organizer)
    before = AccessLogEntry.objects.filter(subject=member).count()
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    assert AccessLogEntry.objects.filter(subject=member).count() == before + 1

    def read() -> None:
        client.get(url)

    def unaudited_median() -> float:
        with mock.patch.object(challenges_api, "health_data_access_record", return_value=0):
            return median_seconds(read, repeat=5)

    rounds = 20 if quick else 200
    audited_s: list[float] = []
    unaudited_s: list[float] = []
    for n in range(rounds):
        # Alternate which goes first, so neither always runs on a warmer cache.
        if n % 2:
            unaudited_s.append(unaudited_median())
            audited_s.append(median_seconds(read, repeat=5))
        else:
            audited_s.append(median_seconds(read, repeat=5))
            unaudited_s.append(unaudited_median())

    with_audit = statistics.median(audited_s) * 1000
    without = statistics.median(unaudited_s) * 1000
    return [
        figure(
            "audit", "organizer reads a flagged workout, audited (median)", with_audit, "ms",
            baseline=without, goal="< 1 ms more than unaudited", higher_is_better=False,
        ),
        figure(
            "audit", "the audit's cost (difference of medians)", with_audit - without, "ms",
            baseline=None, goal="< 1 ms", higher_is_better=False,
        ),
    ]  # fmt: skip
