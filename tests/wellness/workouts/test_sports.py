"""One list of sports: the workout model's choices are the pure list scoring and features use."""

from __future__ import annotations

from wellness.workouts.models import Sport
from wellness.workouts.sports import AVATAR_SPORTS, SPORT_LABELS, SPORTS


def test_the_sport_choices_are_the_one_list_of_sports() -> None:
    assert [(sport.value, sport.label) for sport in Sport] == list(SPORT_LABELS.items())
    assert list(SPORTS) == list(SPORT_LABELS)
    assert set(AVATAR_SPORTS) < set(SPORTS)
