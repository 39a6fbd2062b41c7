"""Progress from the scoring hand-off: eligibility, windows in local time, idempotency, teams,
flagged workouts, leaving, erasure, badges and streaks."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from pytest_django import DjangoCaptureOnCommitCallbacks

from challenges import services
from challenges.models import (
    ActivityTotals,
    BadgeAward,
    Contribution,
    ContributionStatus,
    Participant,
    Streak,
    Team,
)
from tests.challenges.factories import ChallengeFactory, ScoredWorkoutFactory
from tests.factories import UserFactory
from tests.helpers import ClientFor, channel_layer
from wellness.core.groups import user_group
from wellness.people.erasure import health_data_erase
from wellness.people.models import Profile, User

pytestmark = pytest.mark.django_db


def _progress(user: User) -> int:
    return Participant.objects.get(user=user).progress


def test_an_eligible_workout_adds_its_distance_once_even_when_handed_over_twice(
    consenting_user: User,
) -> None:
    c = ChallengeFactory.create(user=consenting_user, target=20)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    workout = ScoredWorkoutFactory.build(user=consenting_user, distance_m=5234.4)

    services.workouts_scored_apply(scored=[workout])
    services.workouts_scored_apply(scored=[workout])

    assert _progress(consenting_user) == 5234
    assert Contribution.objects.count() == 1
    assert ActivityTotals.objects.get(user=consenting_user).workouts == 1


def test_ineligible_sport_and_workouts_outside_the_window_add_nothing(
    consenting_user: User,
) -> None:
    c = ChallengeFactory.create(user=consenting_user, sports=["run"])
    services.challenge_join(user=consenting_user, challenge_id=c.pk)

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, sport="ride")]
    )
    services.workouts_scored_apply(
        scored=[
            ScoredWorkoutFactory.build(
                user=consenting_user, started_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
            )
        ]
    )

    assert _progress(consenting_user) == 0
    assert Contribution.objects.count() == 0


def test_a_rehabilitation_workout_counts_only_for_a_challenge_that_names_rehabilitation(
    consenting_user: User,
) -> None:
    # Issue 22: rehabilitation never reaches a leaderboard unless the person opts in, by joining
    # a challenge that names it; it still counts for their own totals.
    every_sport = ChallengeFactory.create(user=consenting_user, sports=[])
    rehab_only = ChallengeFactory.create(user=consenting_user, sports=["rehab"])
    services.challenge_join(user=consenting_user, challenge_id=every_sport.pk)
    services.challenge_join(user=consenting_user, challenge_id=rehab_only.pk)

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, sport="rehab", distance_m=800)]
    )

    contributions = Contribution.objects.all()
    assert [c.participant.challenge_id for c in contributions] == [rehab_only.pk]
    assert ActivityTotals.objects.get(user=consenting_user).workouts == 1


def test_the_window_is_read_in_the_participants_time_zone(consenting_user: User) -> None:
    # 23:30 UTC on 30 November is already 1 December in Berlin: outside a November challenge.
    late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    Profile.objects.filter(user=consenting_user).update(time_zone="Europe/Berlin")

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, started_at=late)]
    )
    Profile.objects.filter(user=consenting_user).update(time_zone="America/New_York")
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, started_at=late)]
    )

    assert _progress(consenting_user) == 5000


def test_workouts_without_consent_are_ignored(user: User) -> None:
    c = ChallengeFactory.create(user=user)
    services.challenge_join(user=user, challenge_id=c.pk)

    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=user)])

    assert _progress(user) == 0
    assert Contribution.objects.count() == 0
    assert not ActivityTotals.objects.exists()


def test_streak_days_goal_counts_each_local_day_once(consenting_user: User) -> None:
    c = ChallengeFactory.create(user=consenting_user, goal_type="streak_days")
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    morning = dt.datetime(2026, 11, 10, 7, tzinfo=dt.UTC)

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, started_at=morning)]
    )
    services.workouts_scored_apply(
        scored=[
            ScoredWorkoutFactory.build(
                user=consenting_user, started_at=morning + dt.timedelta(hours=10)
            )
        ]
    )
    services.workouts_scored_apply(
        scored=[
            ScoredWorkoutFactory.build(
                user=consenting_user, started_at=morning + dt.timedelta(days=1)
            )
        ]
    )

    assert _progress(consenting_user) == 2


def test_flagged_workout_waits_for_an_organizer_then_counts_when_accepted(
    consenting_user: User, other_user: User
) -> None:
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=other_user, challenge_id=c.pk)
    services.workouts_scored_apply(
        scored=[
            ScoredWorkoutFactory.build(
                user=other_user, counts_for_leaderboards=False, flags=("too_fast",)
            )
        ]
    )
    pending = Contribution.objects.get()
    assert (pending.status, _progress(other_user)) == (ContributionStatus.PENDING, 0)

    services.contribution_review(
        user=consenting_user, challenge_id=c.pk, contribution_id=pending.pk, accept=True
    )

    assert Contribution.objects.get().status == ContributionStatus.COUNTED
    assert _progress(other_user) == 5000


def test_rejected_flagged_workout_never_counts(consenting_user: User, other_user: User) -> None:
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=other_user, challenge_id=c.pk)
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=other_user, counts_for_leaderboards=False)]
    )

    services.contribution_review(
        user=consenting_user,
        challenge_id=c.pk,
        contribution_id=Contribution.objects.get().pk,
        accept=False,
    )

    assert Contribution.objects.get().status == ContributionStatus.REJECTED
    assert _progress(other_user) == 0


def test_team_progress_is_the_sum_of_its_members(consenting_user: User, other_user: User) -> None:
    c = ChallengeFactory.create(user=consenting_user, mode="team", teams=["Otters", "Herons"])
    otters = Team.objects.get(name="Otters")
    services.challenge_join(user=consenting_user, challenge_id=c.pk, team_id=otters.pk)
    services.challenge_join(user=other_user, challenge_id=c.pk, team_id=otters.pk)

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, distance_m=3000)]
    )
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=other_user, distance_m=4000)]
    )

    assert Team.objects.get(pk=otters.pk).progress == 7000
    assert Team.objects.get(name="Herons").progress == 0


def test_leaving_keeps_history_and_stops_progress_rejoining_restores_it(
    consenting_user: User,
) -> None:
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])

    services.challenge_leave(user=consenting_user, challenge_id=c.pk)
    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])
    assert (Participant.objects.get().status, _progress(consenting_user)) == ("left", 5000)
    assert Contribution.objects.count() == 1

    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    assert (Participant.objects.get().status, _progress(consenting_user)) == ("active", 5000)


def test_reaching_the_target_completes_the_challenge_and_earns_the_badge(
    consenting_user: User,
) -> None:
    c = ChallengeFactory.create(user=consenting_user, target=5)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)

    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, distance_m=5000)]
    )

    assert Participant.objects.get().completed_at is not None
    assert ActivityTotals.objects.get(user=consenting_user).challenges_completed == 1
    assert BadgeAward.objects.filter(badge="challenge_completion", tier=1).count() == 1


def test_badges_are_awarded_once_per_tier_and_announced_live(
    consenting_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    layer = channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(consenting_user.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=consenting_user, distance_m=6000)]
        )
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=consenting_user, distance_m=6000)]
        )

    awards = sorted(BadgeAward.objects.values_list("badge", "tier"))
    assert awards == [("distance", 1), ("first_workout", 1)]
    events = [async_to_sync(layer.receive)(channel)["event"] for _ in range(2)]
    assert sorted((e["kind"], e["badge"], e["tier"]) for e in events) == [
        ("badge", "distance", 1),
        ("badge", "first_workout", 1),
    ]


def test_streaks_follow_the_users_local_days(consenting_user: User) -> None:
    Profile.objects.filter(user=consenting_user).update(time_zone="Pacific/Auckland")
    # 20:00 UTC on 9 Nov is 10 Nov in Auckland; 22:00 UTC on 10 Nov is 11 Nov there.
    for started in (
        dt.datetime(2026, 11, 9, 20, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 10, 22, tzinfo=dt.UTC),
    ):
        services.workouts_scored_apply(
            scored=[ScoredWorkoutFactory.build(user=consenting_user, started_at=started)]
        )

    daily = Streak.objects.get(user=consenting_user, kind="daily")
    assert (daily.current, daily.longest) == (2, 2)
    assert daily.last_period == dt.date(2026, 11, 11).toordinal()


def test_erasing_health_data_removes_contributions_and_recomputes_progress(
    consenting_user: User, other_user: User
) -> None:
    c = ChallengeFactory.create(user=consenting_user, mode="team", teams=["Otters"])
    otters = Team.objects.get()
    services.challenge_join(user=consenting_user, challenge_id=c.pk, team_id=otters.pk)
    services.challenge_join(user=other_user, challenge_id=c.pk, team_id=otters.pk)
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=consenting_user, distance_m=3000)]
    )
    services.workouts_scored_apply(
        scored=[ScoredWorkoutFactory.build(user=other_user, distance_m=4000)]
    )

    health_data_erase(user_id=consenting_user.pk)

    assert not Contribution.objects.filter(participant__user=consenting_user).exists()
    assert _progress(consenting_user) == 0
    assert _progress(other_user) == 4000
    assert Team.objects.get().progress == 4000
    assert not BadgeAward.objects.filter(user=consenting_user).exists()
    assert not Streak.objects.filter(user=consenting_user).exists()


def test_export_contains_participations_and_badges(
    client_for: ClientFor, consenting_user: User
) -> None:
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])

    export = client_for(consenting_user).get("/api/v1/me/export/").json()["challenges"]

    assert export["participations"][0]["progress"] == 5000
    assert {"badge": "first_workout", "tier": 1} in [
        {k: b[k] for k in ("badge", "tier")} for b in export["badges"]
    ]


def test_unrelated_people_are_untouched(consenting_user: User) -> None:
    bystander = UserFactory.create(consented=True)
    c = ChallengeFactory.create(user=consenting_user)
    services.challenge_join(user=consenting_user, challenge_id=c.pk)
    services.challenge_join(user=bystander, challenge_id=c.pk)

    services.workouts_scored_apply(scored=[ScoredWorkoutFactory.build(user=consenting_user)])

    assert _progress(bystander) == 0
