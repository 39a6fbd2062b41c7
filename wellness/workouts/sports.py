"""The sports a workout can be, with their labels: the one list the models, scoring and features use."""

from __future__ import annotations

SPORT_LABELS = {"run": "Run", "ride": "Ride", "walk": "Walk", "yoga": "Yoga", "other": "Other"}
SPORTS = tuple(SPORT_LABELS)
# Sports with a moving avatar in a world (the others have no distance to travel).
AVATAR_SPORTS = ("run", "walk", "ride")
# The longest one workout of each sport may last: ultras and long tours fit; a clock error does not.
MAX_DURATION_H = {"run": 48, "ride": 48, "walk": 48, "yoga": 6, "other": 24}
