"""factory_boy factories for challenge tests: scored workouts as the hand-off delivers them, and
communities and challenges made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from challenges import services
from challenges.models import Challenge, Community
from wellness.scoring.handoff import ScoredWorkout

START = dt.date(2026, 11, 1)
END = dt.date(2026, 11, 30)


class ScoredWorkoutFactory(factory.Factory[ScoredWorkout]):
    """``ScoredWorkoutFactory.build(user=alice, distance_m=3000)``: a 30-minute run of ``user``."""

    class Meta:
        model = ScoredWorkout

    class Params:
        user = None

    workout_id = factory.Sequence(lambda n: 1_000 + n)
    user_id = factory.LazyAttribute(lambda o: o.user.pk)
    sport = "run"
    indoor = False
    started_at = dt.datetime(2026, 11, 10, 7, 0, tzinfo=dt.UTC)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(minutes=30))
    duration_s = 1800.0
    moving_time_s = 1800.0
    distance_m = 5000.0
    elevation_gain_m = 40.0
    active_minutes = 30.0
    zone_minutes = (5.0, 10.0, 10.0, 4.0, 1.0)
    training_load = 45.5
    mindful_minutes = 0.0
    calories_kcal = 350.0
    points = 120
    effort_distance_m = 5000.0
    counts_for_leaderboards = True


class CommunityFactory(factory.django.DjangoModelFactory[Community]):
    """``CommunityFactory.create(user=owner)``: a community its owner created."""

    class Meta:
        model = Community

    name = "Lakeside Runners"

    @classmethod
    def _create(cls, model_class: type[Community], *args: Any, **kwargs: Any) -> Community:
        return services.community_create(**kwargs)


class ChallengeFactory(factory.django.DjangoModelFactory[Challenge]):
    """``ChallengeFactory.create(user=organizer)``: November's distance challenge."""

    class Meta:
        model = Challenge

    title = "November kilometres"
    starts_on = START
    ends_on = END
    goal_type = "distance"

    @classmethod
    def _create(cls, model_class: type[Challenge], *args: Any, **kwargs: Any) -> Challenge:
        return services.challenge_create(**kwargs)
