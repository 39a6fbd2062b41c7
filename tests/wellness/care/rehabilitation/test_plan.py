"""Reading a program's plan, limits and progression rule (issue 22, point 2): valid ones parse,
invalid ones name every problem by its path."""

from __future__ import annotations

from typing import Any

import pytest

from wellness.care.rehabilitation.plan import (
    PlanInvalid,
    limits_from_json,
    plan_from_json,
    progression_from_json,
)

PLAN: dict[str, Any] = {
    "phases": [
        {
            "name": "Weeks 1-2",
            "weeks": 2,
            "sessions_per_week": 3,
            "sessions": [
                {
                    "name": "A",
                    "exercises": [
                        {"exercise_id": 1, "sets": 2, "reps": 10, "rest_s": 60},
                        {"exercise_id": 2, "sets": 1, "duration_s": 300, "rest_s": 0},
                    ],
                }
            ],
        }
    ]
}
LIMITS: dict[str, Any] = {
    "ceiling": {"rule": "hrr_percent", "percent": 60},
    "target_zone": {"unit": "bpm", "low": 90, "high": 110},
    "max_rpe": 5,
    "target_rpe": 4,
    "pain_stop": 5,
}


def test_a_valid_plan_parses() -> None:
    plan = plan_from_json(PLAN)

    assert plan.exercise_ids() == {1, 2}
    assert plan.phases[0].sessions[0].exercises[1].duration_s == 300


def test_an_invalid_plan_names_every_problem() -> None:
    bad = {
        "phases": [
            {
                "name": "",
                "weeks": 0,
                "sessions_per_week": 3,
                "sessions": [{"name": "A", "exercises": [{"exercise_id": 1, "sets": 2}]}],
            }
        ]
    }

    with pytest.raises(PlanInvalid) as caught:
        plan_from_json(bad)

    assert set(caught.value.fields) == {
        "plan.phases[0].name",
        "plan.phases[0].weeks",
        "plan.phases[0].sessions[0].exercises[0].reps",
        "plan.phases[0].sessions[0].exercises[0].rest_s",
    }


def test_limits_parse_and_the_beta_blocker_rule_defaults_to_twenty() -> None:
    limits = limits_from_json({**LIMITS, "ceiling": {"rule": "beta_blocker"}})

    assert (limits.ceiling.rule, limits.ceiling.value, limits.pain_stop) == ("beta_blocker", 20, 5)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ceiling": {"rule": "guess"}}, "limits.ceiling.rule"),
        ({"ceiling": {"rule": "bpm", "bpm": 250}}, "limits.ceiling.bpm"),
        ({"target_rpe": 6}, "limits.target_rpe"),
        ({"pain_stop": 0}, "limits.pain_stop"),
        ({"target_zone": {"unit": "bpm", "low": 110, "high": 90}}, "limits.target_zone.high"),
    ],
)
def test_invalid_limits_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PlanInvalid) as caught:
        limits_from_json({**LIMITS, **change})

    assert field in caught.value.fields


def test_progression_defaults_and_must_stay_below_the_pain_stop() -> None:
    limits = limits_from_json(LIMITS)

    rule = progression_from_json(None, limits)
    assert (rule.consecutive_sessions, rule.max_pain, rule.max_rpe) == (2, 3, 4)
    with pytest.raises(PlanInvalid):
        progression_from_json({"max_pain": 5}, limits)
