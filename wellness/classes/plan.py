"""A class's segment plan, the live session clock and heart-rate zones. No Django imports.

A segment is ``{"name", "duration_s", "cue", "target_zone"?, "breathing"?}``: ``target_zone`` is the
intended heart-rate zone (1-5, percent of maximum heart rate, see :func:`hr_zone`) and ``breathing``
a pacer pattern ``{"inhale_s", "hold_s", "exhale_s", "hold_out_s"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

MAX_SEGMENTS = 200
MAX_SEGMENT_SECONDS = 4 * 3600
BREATH_PHASES = ("inhale_s", "hold_s", "exhale_s", "hold_out_s")
# Zone lower bounds in percent of maximum heart rate (the common five-zone %HRmax model).
ZONE_FLOORS_PCT = (50, 60, 70, 80, 90)


class BreathingDict(TypedDict):
    inhale_s: float
    hold_s: float
    exhale_s: float
    hold_out_s: float


class SegmentDict(TypedDict):
    name: str
    duration_s: int
    cue: str
    target_zone: int | None
    breathing: BreathingDict | None


@dataclass(frozen=True)
class Breathing:
    inhale_s: float
    hold_s: float
    exhale_s: float
    hold_out_s: float

    @property
    def cycle_s(self) -> float:
        return self.inhale_s + self.hold_s + self.exhale_s + self.hold_out_s


@dataclass(frozen=True)
class Segment:
    name: str
    duration_s: int
    cue: str
    target_zone: int | None = None
    breathing: Breathing | None = None

    def as_dict(self) -> SegmentDict:
        b = self.breathing
        return {
            "name": self.name,
            "duration_s": self.duration_s,
            "cue": self.cue,
            "target_zone": self.target_zone,
            "breathing": None
            if b is None
            else {
                "inhale_s": b.inhale_s,
                "hold_s": b.hold_s,
                "exhale_s": b.exhale_s,
                "hold_out_s": b.hold_out_s,
            },
        }


class PlanInvalid(ValueError):
    """The segment list is unusable; ``problems`` maps ``segments[i].field`` to what is wrong."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))
        self.problems = problems


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_segments(raw: Any) -> list[Segment]:
    """Validate a JSON segment list; raise :class:`PlanInvalid` listing every problem."""
    if not isinstance(raw, list) or not raw:
        raise PlanInvalid({"segments": ["Give a non-empty list of segments."]})
    if len(raw) > MAX_SEGMENTS:
        raise PlanInvalid({"segments": [f"At most {MAX_SEGMENTS} segments."]})
    problems: dict[str, list[str]] = {}
    segments: list[Segment] = []
    for i, item in enumerate(raw):
        key = f"segments[{i}]"
        if not isinstance(item, dict):
            problems[key] = ["Each segment is an object."]
            continue
        found = _segment_problems(key, item)
        problems |= found
        if not found:
            segments.append(_segment_of(item))
    if problems:
        raise PlanInvalid(problems)
    return segments


def _segment_problems(key: str, item: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem of one segment object, under ``<key>.<field>``."""
    problems: dict[str, list[str]] = {}
    name, cue = item.get("name"), item.get("cue", "")
    # NUL is refused because PostgreSQL cannot store it in text or jsonb.
    if not isinstance(name, str) or not name.strip() or len(name) > 120 or "\x00" in name:
        problems[f"{key}.name"] = ["A name of 1 to 120 characters is required."]
    if not isinstance(cue, str) or len(cue) > 1000 or "\x00" in cue:
        problems[f"{key}.cue"] = ["Cue text is a string of at most 1000 characters."]
    duration = item.get("duration_s")
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not 1 <= duration <= MAX_SEGMENT_SECONDS
    ):
        problems[f"{key}.duration_s"] = [
            f"A whole number of seconds from 1 to {MAX_SEGMENT_SECONDS} is required."
        ]
    zone = item.get("target_zone")
    if zone is not None and (
        not isinstance(zone, int) or isinstance(zone, bool) or not 1 <= zone <= 5
    ):
        problems[f"{key}.target_zone"] = ["The target zone is a whole number from 1 to 5."]
    raw_breath = item.get("breathing")
    if raw_breath is not None and _breathing_of(raw_breath) is None:
        problems[f"{key}.breathing"] = [
            "A breathing pattern has inhale_s and exhale_s above 0 and optional hold_s "
            "and hold_out_s, each at most 60 seconds."
        ]
    return problems


def _breathing_of(raw_breath: Any) -> Breathing | None:
    """The breathing pattern given, or None when it is not a valid one."""
    values = (
        [_number(raw_breath.get(p, 0)) for p in BREATH_PHASES]
        if isinstance(raw_breath, dict)
        else [None]
    )
    if any(v is None or not 0 <= v <= 60 for v in values) or not (values[0] and values[2]):
        return None
    return Breathing(*(float(v or 0) for v in values))


def _segment_of(item: dict[str, Any]) -> Segment:
    """The segment of an object :func:`_segment_problems` found nothing wrong with."""
    raw_breath = item.get("breathing")
    return Segment(
        str(item["name"]).strip(),
        int(item["duration_s"]),
        str(item.get("cue", "")),
        item.get("target_zone"),
        _breathing_of(raw_breath) if raw_breath is not None else None,
    )


def segments_from_json(raw: Sequence[dict[str, Any]]) -> list[Segment]:
    """Segments as stored (already validated)."""
    return [
        Segment(
            name=s["name"],
            duration_s=s["duration_s"],
            cue=s.get("cue", ""),
            target_zone=s.get("target_zone"),
            breathing=Breathing(**s["breathing"]) if s.get("breathing") else None,
        )
        for s in raw
    ]


@dataclass(frozen=True)
class Clock:
    """Where a session is: the segment and the seconds spent in it and left of it."""

    segment_index: int
    elapsed_s: float
    remaining_s: float


def session_clock(
    segments: Sequence[Segment],
    *,
    segment_index: int,
    segment_elapsed: float,
    running_since: float | None,
    now: float,
) -> Clock:
    """The clock at ``now`` (UNIX seconds). A running segment that overruns shows 0 remaining:
    only the instructor moves on, so a class never skips a pose because someone needed longer."""
    elapsed = segment_elapsed + (max(0.0, now - running_since) if running_since is not None else 0)
    duration = segments[segment_index].duration_s
    return Clock(segment_index, round(elapsed, 3), round(max(0.0, duration - elapsed), 3))


def hr_zone(hr: float, max_hr: float) -> int:
    """Zone 0-5 of a heart rate by percent of maximum heart rate (0 below 50 %)."""
    pct = 100.0 * hr / max_hr
    return sum(1 for floor in ZONE_FLOORS_PCT if pct >= floor)


@dataclass(frozen=True)
class ClassMeters:
    """What the whole class sees. ``energy`` is the mean %HRmax of sharers (0-100); ``calm`` the
    percentage of sharers in zone 1 or below."""

    sharers: int
    energy: int
    calm: int


def class_meters(readings: Sequence[tuple[float, float]]) -> ClassMeters:
    """Aggregate ``(hr, max_hr)`` readings of the people who chose to share."""
    if not readings:
        return ClassMeters(0, 0, 0)
    pcts = [min(100.0, 100.0 * hr / mx) for hr, mx in readings]
    calm = sum(1 for hr, mx in readings if hr_zone(hr, mx) <= 1)
    return ClassMeters(
        sharers=len(readings),
        energy=round(sum(pcts) / len(pcts)),
        calm=round(100 * calm / len(readings)),
    )
