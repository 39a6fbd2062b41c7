"""What every format shares: the parsed activity, the one error, sport names and assembly of columns.

Django-free on purpose (no ``django`` import here or in the format modules) so storage, the API, the
CLI and the tests can all use it without a configured project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from wellness.errors import ValidationFailed

SAMPLE_KEYS: tuple[str, ...] = (
    "t", "hr", "cadence", "speed", "distance", "power", "altitude", "lat", "lon",
)  # fmt: skip
SPORTS: tuple[str, ...] = ("run", "ride", "walk", "yoga", "other")
# Files older than this are not recordings: GPX writers put 1901-12-13 (INT32_MIN seconds) or the
# UNIX epoch in place of a missing clock, and FIT's own epoch is 1989-12-31.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
# Running/walking devices store cadence per leg (strides/min, what FIT and Garmin's GPX/TCX
# extensions call "rpm"); the sample contract counts steps/min, twice that.
STEP_SPORTS = frozenset({"run", "walk"})


class ActivityFileInvalid(ValidationFailed):
    """A corrupt, truncated, non-activity or empty file: nothing of it may be stored."""

    code = "invalid_activity_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"file": [message]})


@dataclass(frozen=True)
class ParsedActivity:
    """One recorded activity, in the shared sample vocabulary (see ``devices/README.md``).

    ``columns`` holds one float64 array per key of ``SAMPLE_KEYS``, all the same length, sorted by
    ``t`` (UNIX seconds, UTC) with unique ``t``; NaN marks "not measured". ``rr`` holds RR intervals
    in ms in time order and ``rr_t`` the ``t`` of the sample each interval was recorded with (the
    sample contract attaches RR lists to samples).
    """

    format: str
    sport: str
    indoor: bool
    started_at: datetime
    ended_at: datetime
    columns: dict[str, np.ndarray]
    rr: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    rr_t: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.columns["t"])

    @property
    def duration_s(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    def samples(self) -> list[dict[str, Any]]:
        """The samples as shared-contract dicts: absent values left out, RR lists attached."""
        keys = [k for k in SAMPLE_KEYS if k == "t" or not np.isnan(self.columns[k]).all()]
        rr_by_t: dict[float, list[float]] = {}
        for t, ms in zip(self.rr_t.tolist(), self.rr.tolist(), strict=True):
            rr_by_t.setdefault(t, []).append(ms)
        out: list[dict[str, Any]] = []
        rows = zip(*(self.columns[k].tolist() for k in keys), strict=True)
        for row in rows:
            sample = {k: v for k, v in zip(keys, row, strict=True) if v == v}  # v == v: not NaN
            if sample["t"] in rr_by_t:
                sample["rr"] = rr_by_t[sample["t"]]
            out.append(sample)
        return out


def sport_from_text(value: str | None) -> str:
    """Map a free-text sport (GPX ``<type>``, TCX ``Sport=``, FIT enum names) to ours."""
    text = (value or "").strip().lower()
    if text in SPORTS:
        return text
    rules = (
        ("yoga", "yoga"),
        ("run", "run"),
        ("jog", "run"),
        ("bik", "ride"),
        ("cycl", "ride"),
        ("ride", "ride"),
        ("walk", "walk"),
        ("hik", "walk"),
    )
    for needle, sport in rules:
        if needle in text:
            return sport
    return "other"


def to_float(value: Any) -> float:
    """A numeric field value as float, NaN for absent/invalid/non-scalar ones."""
    if value is None or isinstance(value, bool | str | bytes | tuple | list):
        return float("nan")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number if np.isfinite(number) else float("nan")


def text_float(text: str | None) -> float:
    if text is None:
        return float("nan")
    try:
        return to_float(float(text.strip()))
    except ValueError:
        return float("nan")


def assemble(
    *,
    fmt: str,
    filename: str,
    sport: str,
    indoor: bool | None,
    rows: Iterable[Mapping[str, float]],
    rr: Iterable[tuple[float, float]] = (),
    declared_start: datetime | None = None,
    declared_end: datetime | None = None,
) -> ParsedActivity:
    """Build the ParsedActivity from per-sample rows (each with a ``t``) and (t, rr_ms) pairs.

    Rows sharing a ``t`` are merged (the later non-missing value wins), so the columns meet the
    frame contract of unique, sorted ``t``. ``indoor=None`` means the file does not say: no
    position at all then means indoor.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(SAMPLE_KEYS)).astype("float64")
    frame = frame[np.isfinite(frame["t"].to_numpy())]
    if frame.empty:
        raise ActivityFileInvalid(
            f"{filename} holds no timed samples, so there is no recorded activity to import."
        )
    frame = frame.groupby("t", sort=True).last().reset_index()
    columns = {key: frame[key].to_numpy(dtype=np.float64, copy=True) for key in SAMPLE_KEYS}
    first = datetime.fromtimestamp(float(columns["t"][0]), tz=UTC)
    last = datetime.fromtimestamp(float(columns["t"][-1]), tz=UTC)
    if first < EARLIEST_PLAUSIBLE:
        raise ActivityFileInvalid(
            f"{filename} has timestamps from {first:%Y-%m-%d}, before any real recording "
            "(the device's clock was not set), so it cannot be imported."
        )
    for key, limit in (("lat", 90.0), ("lon", 180.0)):
        values = columns[key][np.isfinite(columns[key])]
        if len(values) and float(np.abs(values).max()) > limit:
            raise ActivityFileInvalid(
                f"{filename} has positions outside the globe ({key} beyond ±{limit:g}°), "
                "so it is corrupt."
            )
    started_at = min(first, declared_start) if declared_start else first
    ended_at = max(last, declared_end) if declared_end else last
    if started_at < EARLIEST_PLAUSIBLE:
        started_at = first
    has_position = bool(np.isfinite(columns["lat"]).any() and np.isfinite(columns["lon"]).any())
    # Stable sort on t only: intervals recorded together keep their order.
    rr_pairs = sorted(((t, ms) for t, ms in rr if np.isfinite(ms) and ms > 0), key=lambda p: p[0])
    return ParsedActivity(
        format=fmt,
        sport=sport if sport in SPORTS else "other",
        indoor=(not has_position) if indoor is None else indoor,
        started_at=started_at,
        ended_at=ended_at,
        columns=columns,
        rr=np.array([ms for _, ms in rr_pairs], dtype=np.float64),
        rr_t=np.array([t for t, _ in rr_pairs], dtype=np.float64),
    )


def localname(tag: str) -> str:
    """``{namespace}name`` or ``prefix:name`` → ``name`` (extensions come in many namespaces)."""
    return re.sub(r"^(\{[^}]*\}|[^:]*:)", "", tag)
