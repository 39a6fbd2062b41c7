"""The sports a workout can be, with their labels: the one list the models, scoring and features use."""

from __future__ import annotations

SPORT_LABELS = {
    "run": "Run",
    "ride": "Ride",
    "walk": "Walk",
    "yoga": "Yoga",
    "other": "Other",
    "rehab": "Rehabilitation",
}
SPORTS = tuple(SPORT_LABELS)
# Sports that count for a challenge only when it names them (an "all sports" challenge leaves them
# out): a rehabilitation session is no race, and joins a leaderboard only by the person's choice.
OPT_IN_SPORTS = ("rehab",)
COMPETITIVE_SPORTS = tuple(s for s in SPORTS if s not in OPT_IN_SPORTS)
# Sports with a moving avatar in a world (the others have no distance to travel).
AVATAR_SPORTS = ("run", "walk", "ride")
# The longest one workout of each sport may last: ultras and long tours fit; a clock error does not.
MAX_DURATION_H = {"run": 48, "ride": 48, "walk": 48, "yoga": 6, "other": 24, "rehab": 6}
