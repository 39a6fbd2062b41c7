"""The Django-free rules: goal registry, streak grace, badge tiers and the leaderboard score."""

from __future__ import annotations

import datetime as dt

import pytest

from challenges import leaderboards
from challenges.badges import earned
from challenges.goals import GoalParamsError, goal_for, goal_types
from challenges.streaks import StreakState, streak_advance, streak_current, week_period
from tests.challenges.factories import ScoredWorkoutFactory
from wellness.people.models import User


def test_registry_has_one_goal_class_per_type() -> None:
    assert sorted(goal_types()) == [
        "active_minutes",
        "distance",
        "elevation",
        "mindful_minutes",
        "points",
        "streak_days",
        "training_load",
        "zone3_minutes",
    ]


def test_each_goal_reads_its_own_measure_in_base_units() -> None:
    workout = ScoredWorkoutFactory.build(user=User(pk=1))

    amounts = {code: goal_for(code).amount(workout) for code in goal_types()}

    assert amounts == {
        "distance": 5000,
        "active_minutes": 1800,
        "zone3_minutes": 900,
        "mindful_minutes": 0,
        "training_load": 4550,
        "points": 120,
        "elevation": 40,
        "streak_days": 1,
    }


def test_unknown_goal_type_and_unknown_or_negative_parameters_are_refused() -> None:
    with pytest.raises(GoalParamsError, match="Unknown goal type 'marathons'"):
        goal_for("marathons")
    with pytest.raises(GoalParamsError, match="Unknown parameter"):
        goal_for("distance", {"laps": 3})
    with pytest.raises(GoalParamsError, match="at least 0"):
        goal_for("streak_days", {"min_active_minutes": -5})


def test_streak_days_goal_needs_its_minimum_minutes() -> None:
    goal = goal_for("streak_days", {"min_active_minutes": 45})

    assert goal.amount(ScoredWorkoutFactory.build(user=User(pk=1), active_minutes=44.0)) == 0
    assert goal.amount(ScoredWorkoutFactory.build(user=User(pk=1), active_minutes=45.0)) == 1


def test_daily_streak_forgives_one_missed_day_but_not_two() -> None:
    monday = dt.date(2026, 11, 2).toordinal()

    state = streak_advance(StreakState(), monday)
    state = streak_advance(state, monday + 2)  # Wednesday: Tuesday missed, forgiven
    kept = state
    broken = streak_advance(state, monday + 5)  # Saturday: two days missed

    assert (kept.current, kept.longest) == (2, 2)
    assert (broken.current, broken.longest) == (1, 2)


def test_same_or_earlier_period_changes_nothing() -> None:
    state = StreakState(current=3, longest=5, last_period=100)

    assert streak_advance(state, 100) == state
    assert streak_advance(state, 90) == state


def test_current_streak_reads_zero_once_the_grace_has_passed() -> None:
    state = StreakState(current=4, longest=4, last_period=100)

    assert streak_current(state, 102) == 4
    assert streak_current(state, 103) == 0


def test_weeks_are_numbered_consecutively_from_monday() -> None:
    sunday, monday = dt.date(2026, 11, 8), dt.date(2026, 11, 9)

    assert week_period(monday) == week_period(sunday) + 1
    assert week_period(dt.date(2026, 11, 15)) == week_period(monday)


def test_badge_tiers_are_progressive() -> None:
    assert earned({"workouts": 1, "distance_km": 150}) == [
        ("first_workout", 1),
        ("distance", 1),
        ("distance", 2),
    ]


def test_more_progress_always_outranks_and_equal_progress_ranks_the_earlier_first() -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    early = leaderboards.score_for(5000, start + dt.timedelta(hours=1), start)
    late = leaderboards.score_for(5000, start + dt.timedelta(days=20), start)
    more_but_latest = leaderboards.score_for(5001, start + dt.timedelta(days=699), start)

    assert more_but_latest > early > late
    assert leaderboards.progress_of(early) == leaderboards.progress_of(late) == 5000
    assert leaderboards.score_for(0, start, start) == 0
    assert leaderboards.score_for(leaderboards.MAX_PROGRESS, start, start) < 2**53
