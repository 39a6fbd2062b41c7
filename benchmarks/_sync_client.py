"""What a sync client sends: the columnar form of samples, as the phone companion builds it."""

from __future__ import annotations

from itertools import chain
from typing import Any

from wellness.workouts.samples import COLUMNS, RR_COUNTS_KEY, RR_KEY


def samples_as_columns(samples: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """A column for each key any sample has, ``None`` where a sample lacks it; the RR intervals
    flattened with a count per sample."""
    keys = set().union(*samples)
    columns: dict[str, list[Any]] = {
        key: [sample.get(key) for sample in samples] for key in COLUMNS if key in keys
    }
    if RR_KEY in keys:
        lists = [sample.get(RR_KEY) or [] for sample in samples]
        columns[RR_KEY] = list(chain.from_iterable(lists))
        columns[RR_COUNTS_KEY] = [len(intervals) for intervals in lists]
    return columns
