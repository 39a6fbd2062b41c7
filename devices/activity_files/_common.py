"""What every format shares: the parsed activity, the one error, sport names and assembly of columns.

Django-free on purpose (no ``django`` import here or in the format modules) so storage, the API, the
CLI and the tests can all use it without a configured project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from wellness.core.errors import ValidationFailed
from wellness.scoring.track import activity_distance_m

SAMPLE_KEYS: tuple[str, ...] = (
    "t", "hr", "cadence", "speed", "distance", "power", "altitude", "lat", "lon",
)  # fmt: skip
SPORTS: tuple[str, ...] = ("run", "ride", "walk", "yoga", "other")
# What the writers take: a dict of arrays, or the ``workout_frame`` DataFrame itself.
Columns = Mapping[str, Any] | pd.DataFrame
# Files older than this are not recordings: GPX writers put 1901-12-13 (INT32_MIN seconds) or the
# UNIX epoch in place of a missing clock, and FIT's own epoch is 1989-12-31.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_PLAUSIBLE = datetime(2100, 1, 1, tzinfo=UTC)
# Running/walking devices store cadence per leg (strides/min, what FIT and Garmin's GPX/TCX
# extensions call "rpm"); the sample contract counts steps/min, twice that.
STEP_SPORTS = frozenset({"run", "walk"})


class ActivityFileInvalid(ValidationFailed):
    """A corrupt, truncated, non-activity or empty file: nothing of it may be stored."""

    code = "invalid_activity_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"file": [message]})


class ActivitySummary(TypedDict):
    format: str
    sport: str
    indoor: bool
    started_at: str
    ended_at: str
    duration_s: float
    timer_s: float
    pauses: int
    laps: int
    samples: int
    distance_m: float | None
    avg_hr: float | None
    rr_intervals: int
    warnings: list[str]


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
    # (stopped, restarted) UNIX seconds of each time the device's timer was stopped in between;
    # ``timer`` says the file carries timer events at all (FIT), so a gap outside them is no pause.
    pauses: tuple[tuple[float, float], ...] = ()
    timer: bool = False
    laps: tuple[float, ...] = ()  # start time of each lap after the first (UNIX seconds)
    warnings: tuple[str, ...] = ()  # what was kept of a damaged file, for the person

    def __len__(self) -> int:
        return len(self.columns["t"])

    @property
    def duration_s(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def timer_s(self) -> float:
        """Elapsed time less the pauses: what the device's own timer showed."""
        return self.duration_s - sum(end - start for start, end in self.pauses)

    def samples(self) -> list[dict[str, Any]]:
        """The samples as shared-contract dicts: absent values left out, RR lists attached."""
        keys = [k for k in SAMPLE_KEYS if k == "t" or not np.isnan(self.columns[k]).all()]
        rr_by_t = rr_by_sample(self.columns["t"], self.rr, self.rr_t)
        out: list[dict[str, Any]] = []
        rows = zip(*(self.columns[k].tolist() for k in keys), strict=True)
        for row in rows:
            sample = {k: v for k, v in zip(keys, row, strict=True) if v == v}  # v == v: not NaN
            if sample["t"] in rr_by_t:
                sample["rr"] = rr_by_t[sample["t"]]
            out.append(sample)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The columns as the scoring frame (``workout_frame``'s shape: float64 ``SAMPLE_KEYS``)."""
        return pd.DataFrame({key: self.columns[key] for key in SAMPLE_KEYS})

    def summary(self) -> ActivitySummary:
        """What an import reports: JSON-ready, distance in m, heart rate in bpm (None if absent).

        The distance is what the device's cumulative distance counted, or else the length of the
        recorded positions (GPX has no distance field): the rule scoring uses, so both agree.
        """
        measured = activity_distance_m(
            self.columns["distance"], self.columns["lat"], self.columns["lon"], sport=self.sport
        )
        distance_m = None if measured is None else measured[0]
        hr = self.columns["hr"][np.isfinite(self.columns["hr"])]
        return ActivitySummary(
            format=self.format,
            sport=self.sport,
            indoor=self.indoor,
            started_at=self.started_at.isoformat(),
            ended_at=self.ended_at.isoformat(),
            duration_s=self.duration_s,
            timer_s=self.timer_s,
            pauses=len(self.pauses),
            laps=len(self.laps) + 1,
            samples=len(self),
            distance_m=None if distance_m is None else round(distance_m, 2),
            avg_hr=round(float(hr.mean()), 1) if len(hr) else None,
            rr_intervals=len(self.rr),
            warnings=list(self.warnings),
        )


def as_columns(columns: Columns) -> dict[str, np.ndarray]:
    """Writers' input (a dict of arrays or the ``workout_frame`` DataFrame) as float64 arrays for
    every sample key, NaN for keys not given."""
    if "t" not in columns:
        raise ValueError("columns need a 't' column")
    t = np.asarray(columns["t"], dtype=np.float64)
    if len(t) == 0:
        raise ActivityFileInvalid("An activity without samples cannot be exported.")
    out = {"t": t}
    for key in SAMPLE_KEYS[1:]:
        out[key] = (
            np.asarray(columns[key], dtype=np.float64)
            if key in columns
            else np.full(len(t), np.nan)
        )
    return out


def timer_pauses(events: Iterable[tuple[float, bool]]) -> list[tuple[float, float]]:
    """(stopped, restarted) pairs from timer events ``(t, running)`` in time order.

    A stop not followed by a start is the end of the recording, not a pause.
    """
    pauses: list[tuple[float, float]] = []
    stopped_at: float | None = None
    for t, running in events:
        if not running and stopped_at is None:
            stopped_at = t
        elif running and stopped_at is not None:
            if t > stopped_at:
                pauses.append((stopped_at, t))
            stopped_at = None
    return pauses


def rr_by_sample(
    t: np.ndarray, rr: np.ndarray | None, rr_t: np.ndarray | None = None
) -> dict[float, list[float]]:
    """RR intervals (ms) grouped by the sample time they belong to.

    With ``rr_t`` (a file import) each interval goes with its recorded sample. Without it (the
    stored ``workout_rr`` is just the beat sequence) the intervals are laid end to end from the
    first sample, as consecutive beats are, and each joins the first sample at or after the
    moment it ended ("the RR intervals that ended in this sample").
    """
    t = np.asarray(t, dtype=np.float64)
    if rr is None or len(rr) == 0 or len(t) == 0:
        return {}
    rr = np.asarray(rr, dtype=np.float64)
    if rr_t is None:
        ends = t[0] + np.cumsum(rr) / 1000.0
        index = np.clip(np.searchsorted(t, ends, side="left"), 0, len(t) - 1)
        rr_t = t[index]
    groups: dict[float, list[float]] = {}
    for when, ms in zip(np.asarray(rr_t, dtype=np.float64).tolist(), rr.tolist(), strict=True):
        groups.setdefault(when, []).append(ms)
    return groups


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
    pauses: Iterable[tuple[float, float]] = (),
    timer: bool = False,
    laps: Iterable[float] = (),
    warnings: Iterable[str] = (),
) -> ParsedActivity:
    """Build the ParsedActivity from per-sample rows (each with a ``t``) and (t, rr_ms) pairs.

    Rows sharing a ``t`` are merged (the later non-missing value wins), so the columns meet the
    frame contract of unique, sorted ``t``. ``indoor=None`` means the file does not say: no
    position at all then means indoor. A single sample, or samples all at one moment, is not an
    activity (a waypoint, a saved location) and is refused.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(SAMPLE_KEYS)).astype("float64")
    frame = frame[np.isfinite(frame["t"].to_numpy())]
    if frame.empty:
        raise ActivityFileInvalid(
            f"{filename} holds no timed samples, so there is no recorded activity to import."
        )
    frame = frame.groupby("t", sort=True).last().reset_index()
    columns = {key: frame[key].to_numpy(dtype=np.float64, copy=True) for key in SAMPLE_KEYS}
    if float(columns["t"][-1]) >= LATEST_PLAUSIBLE.timestamp():
        raise ActivityFileInvalid(
            f"{filename} has timestamps after {LATEST_PLAUSIBLE:%Y}, which no recording can "
            "have, so it is corrupt."
        )
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
    if len(columns["t"]) < 2:
        raise ActivityFileInvalid(
            f"{filename} holds a single point in time, not a recorded activity, so there is "
            "nothing to import as a workout."
        )
    started_at = min(first, declared_start) if declared_start else first
    ended_at = max(last, declared_end) if declared_end else last
    if started_at < EARLIEST_PLAUSIBLE:
        started_at = first
    has_position = bool(np.isfinite(columns["lat"]).any() and np.isfinite(columns["lon"]).any())
    # Stable sort on t only: intervals recorded together keep their order.
    rr_pairs = sorted(((t, ms) for t, ms in rr if np.isfinite(ms) and ms > 0), key=lambda p: p[0])
    begin, end = started_at.timestamp(), ended_at.timestamp()
    return ParsedActivity(
        format=fmt,
        sport=sport if sport in SPORTS else "other",
        indoor=(not has_position) if indoor is None else indoor,
        started_at=started_at,
        ended_at=ended_at,
        columns=columns,
        rr=np.array([ms for _, ms in rr_pairs], dtype=np.float64),
        rr_t=np.array([t for t, _ in rr_pairs], dtype=np.float64),
        pauses=tuple((a, b) for a, b in pauses if begin <= a < b <= end),
        timer=timer,
        laps=tuple(sorted({t for t in laps if begin < t < end})),
        warnings=tuple(warnings),
    )


def localname(tag: str) -> str:
    """``{namespace}name`` or ``prefix:name`` → ``name`` (extensions come in many namespaces)."""
    return re.sub(r"^(\{[^}]*\}|[^:]*:)", "", tag)
