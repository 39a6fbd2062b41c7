"""Daily and weekly streaks over local calendar periods. Django-free.

Grace rule (the only one): a streak survives **one** missed period between two active ones
(Monday and Wednesday keep a daily streak going; Monday and Thursday start it again). A period is a
local date (daily) or an ISO week starting Monday (weekly), in the person's time zone. A workout in
a period at or before the last counted one changes nothing, so late or repeated hand-offs are safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

GRACE_PERIODS = 1


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    longest: int = 0
    last_period: int | None = None


def day_period(day: dt.date) -> int:
    return day.toordinal()


def week_period(day: dt.date) -> int:
    # Monday ordinals are 7 apart, so dividing gives consecutive week numbers.
    return (day.toordinal() - day.weekday()) // 7


def streak_advance(state: StreakState, period: int) -> StreakState:
    if state.last_period is not None and period <= state.last_period:
        return state
    if state.last_period is not None and period - state.last_period <= 1 + GRACE_PERIODS:
        current = state.current + 1
    else:
        current = 1
    return StreakState(current, max(state.longest, current), period)


def streak_current(state: StreakState, today_period: int) -> int:
    """The streak as it stands today: broken once more than the grace has passed with no activity."""
    if state.last_period is None or today_period - state.last_period > 1 + GRACE_PERIODS:
        return 0
    return state.current
