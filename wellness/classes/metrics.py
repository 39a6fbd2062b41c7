"""Class metrics (yoga-aware): time in the intended zone per segment, HRV at start and end,
mindful minutes and a relaxation indicator. Pure functions on arrays, no Django, so the scoring
pipeline can call them with ``workout_frame``/``workout_rr`` output.

RR artefact filtering (:func:`rr_clean`): an interval is an artefact when it is outside 300-2000 ms
(a heart rate of 30-200 bpm) or differs by more than 20 % from the previous accepted interval (the
Malik rule used in Kubios-style pipelines). RMSSD uses only successive differences whose two
intervals are both accepted and adjacent in the recording, so a dropped beat never produces a
fake difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wellness.classes.plan import Segment, hr_zone

RR_MIN_MS = 300.0
RR_MAX_MS = 2000.0
RR_MAX_JUMP = 0.20
# A sample's heart rate is held until the next sample, at most this long (a gap is not data).
MAX_HOLD_S = 5.0
HRV_WINDOW_S = 120.0
MIN_PAIRS = 10
# The relaxation rule: ln(RMSSD_end / RMSSD_start) of at least +0.10 (about +10 %) is "relaxed",
# at most -0.10 "activated", else "steady". Day-to-day ln RMSSD varies by about 0.1 at rest, so a
# smaller change is not called either way.
RELAXATION_THRESHOLD = 0.10
MINDFUL_KINDS = frozenset({"yoga", "breathing"})


def rr_clean(rr_ms: ArrayLike) -> NDArray[np.bool_]:
    """Mask of accepted RR intervals (see module docstring for the rule)."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    ok = np.zeros(rr.shape, dtype=bool)
    previous: float | None = None
    for i, value in enumerate(rr):
        if not RR_MIN_MS <= value <= RR_MAX_MS:
            continue
        if previous is not None and abs(value - previous) > RR_MAX_JUMP * previous:
            continue
        ok[i] = True
        previous = float(value)
    return ok


def rmssd(rr_ms: ArrayLike) -> float | None:
    """Root mean square of successive differences (ms) over clean adjacent pairs; None if fewer
    than ``MIN_PAIRS`` pairs remain."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < 2:
        return None
    ok = rr_clean(rr)
    pair_ok = ok[1:] & ok[:-1]
    if int(pair_ok.sum()) < MIN_PAIRS:
        return None
    diffs = np.diff(rr)[pair_ok]
    return float(np.sqrt(np.mean(diffs**2)))


@dataclass(frozen=True)
class HrvStartEnd:
    start_rmssd: float | None
    end_rmssd: float | None


def rmssd_start_end(rr_ms: ArrayLike, window_s: float = HRV_WINDOW_S) -> HrvStartEnd:
    """RMSSD over the first and the last ``window_s`` seconds of beats (time from the RR sums)."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size == 0:
        return HrvStartEnd(None, None)
    t = np.cumsum(rr) / 1000.0
    start = rr[t <= window_s]
    end = rr[t > t[-1] - window_s]
    return HrvStartEnd(rmssd(start), rmssd(end))


# A stretch of class time spent in one segment: (segment index, start, end), UNIX seconds.
Span = tuple[int, float, float]


def planned_spans(
    segments: Sequence[Segment], *, start_t: float, until_t: float = math.inf
) -> list[Span]:
    """Segments back to back from ``start_t`` with their planned durations, cut at ``until_t``:
    how an on-demand player runs a class."""
    spans: list[Span] = []
    seg_start = start_t
    for index, segment in enumerate(segments):
        seg_end = seg_start + segment.duration_s
        if seg_start >= until_t:
            break
        spans.append((index, seg_start, min(seg_end, until_t)))
        seg_start = seg_end
    return spans


def timeline_spans(
    timeline: Sequence[Mapping[str, Any]], *, start_t: float, until_t: float
) -> list[Span]:
    """The running stretches of a live session within ``start_t``..``until_t``.

    ``timeline`` lists the session's changes (``{"t", "segment", "status"}``) in order; each holds
    until the next. Paused and ended stretches belong to no segment.
    """
    spans: list[Span] = []
    for entry, following in zip(timeline, [*timeline[1:], None], strict=True):
        if entry.get("status") != "running":
            continue
        lo = max(float(entry["t"]), start_t)
        hi = min(float(following["t"]) if following else until_t, until_t)
        if hi > lo:
            spans.append((int(entry["segment"]), lo, hi))
    return spans


def time_in_zone_per_segment(
    t: ArrayLike,
    hr: ArrayLike,
    spans: Sequence[Span],
    target_zones: Sequence[int | None],
    *,
    max_hr: float,
) -> list[float | None]:
    """Seconds spent in each segment's intended zone over its spans (None without a target).

    ``t`` in UNIX seconds, sorted; NaN heart rates are gaps. A sample's heart rate holds until the
    next sample, at most ``MAX_HOLD_S``.
    """
    ts = np.asarray(t, dtype=np.float64)
    hrs = np.asarray(hr, dtype=np.float64)
    hold = np.minimum(np.diff(ts, append=ts[-1] + 1.0) if ts.size else ts, MAX_HOLD_S)
    zones = np.array([hr_zone(h, max_hr) if np.isfinite(h) else -1 for h in hrs])
    result: list[float | None] = [None if z is None else 0.0 for z in target_zones]
    for index, lo_t, hi_t in spans:
        target = target_zones[index]
        if target is None:
            continue
        # Clip each sample's hold interval to the span.
        lo = np.clip(ts, lo_t, hi_t)
        hi = np.clip(ts + hold, lo_t, hi_t)
        result[index] = float(result[index] or 0.0) + float(np.sum((hi - lo)[zones == target]))
    return [None if value is None else round(value, 3) for value in result]


def time_in_target_zone(
    t: ArrayLike, hr: ArrayLike, segments: Sequence[Segment], *, start_t: float, max_hr: float
) -> list[float | None]:
    """Seconds spent in each segment's intended zone (None for a segment without a target).

    ``t`` in UNIX seconds, sorted; NaN heart rates are gaps. Segments follow each other from
    ``start_t`` with their planned durations.
    """
    return time_in_zone_per_segment(
        t,
        hr,
        planned_spans(segments, start_t=start_t),
        [s.target_zone for s in segments],
        max_hr=max_hr,
    )


def mindful_seconds(kind: str, segments: Sequence[Segment], attended: Sequence[float]) -> float:
    """Seconds of mindful practice: all attended time of a yoga or breathing class; in other
    classes (HIIT's cool-down breathing) only the attended time of segments with a breathing
    pattern. ``attended`` is the attended seconds of each segment."""
    if kind in MINDFUL_KINDS:
        return float(sum(attended))
    pairs = zip(attended, segments, strict=True)
    return float(sum(a for a, segment in pairs if segment.breathing is not None))


@dataclass(frozen=True)
class Relaxation:
    label: str  # "relaxed", "steady", "activated" or "unknown"
    ln_ratio: float | None


def relaxation_indicator(hrv: HrvStartEnd) -> Relaxation:
    """Apply the relaxation rule (``RELAXATION_THRESHOLD``) to start and end RMSSD."""
    if not hrv.start_rmssd or not hrv.end_rmssd:
        return Relaxation("unknown", None)
    ratio = float(np.log(hrv.end_rmssd / hrv.start_rmssd))
    if ratio >= RELAXATION_THRESHOLD:
        label = "relaxed"
    elif ratio <= -RELAXATION_THRESHOLD:
        label = "activated"
    else:
        label = "steady"
    return Relaxation(label, round(ratio, 4))


# --- The class metrics of one attendance ---------------------------------------------------------
def class_metrics(
    *,
    segments: Sequence[Segment],
    spans: Sequence[Span],
    t: ArrayLike,
    hr: ArrayLike,
    rr_ms: ArrayLike,
    max_hr: float,
    max_hr_source: str,
    kind: str,
) -> dict[str, Any]:
    """The yoga-aware metrics of one class taken, JSON-ready (stored on the attendance).

    ``spans`` say when the person was in which segment; heart-rate samples outside them do not
    count. ``max_hr_source`` is ``measured``, ``estimated`` or ``assumed`` (for the explanation).
    """
    ts = np.asarray(t, dtype=np.float64)
    hrs = np.asarray(hr, dtype=np.float64)
    inside = np.zeros(ts.shape, dtype=bool)
    for _, lo, hi in spans:
        inside |= (ts >= lo) & (ts <= hi)
    measured = bool(np.isfinite(hrs[inside]).any()) if ts.size else False
    attended = [0.0] * len(segments)
    for index, lo, hi in spans:
        attended[index] += hi - lo
    in_zone = (
        time_in_zone_per_segment(ts, hrs, spans, [s.target_zone for s in segments], max_hr=max_hr)
        if measured
        else [None] * len(segments)
    )
    hrv = rmssd_start_end(rr_ms)
    relaxation = relaxation_indicator(hrv)
    return {
        "attended_s": round(sum(attended), 3),
        "mindful_s": round(mindful_seconds(kind, segments, attended), 3),
        "heart_rate_measured": measured,
        "max_hr": round(max_hr),
        "max_hr_source": max_hr_source,
        "segments": [
            {
                "name": segment.name,
                "target_zone": segment.target_zone,
                "planned_s": segment.duration_s,
                "attended_s": round(attended[i], 3),
                "in_zone_s": in_zone[i],
            }
            for i, segment in enumerate(segments)
        ],
        "hrv_window_s": HRV_WINDOW_S,
        "hrv_start_rmssd_ms": None if hrv.start_rmssd is None else round(hrv.start_rmssd, 2),
        "hrv_end_rmssd_ms": None if hrv.end_rmssd is None else round(hrv.end_rmssd, 2),
        "relaxation": relaxation.label,
        "relaxation_ln_ratio": relaxation.ln_ratio,
    }


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _ms(value: float | None) -> str:
    return "not enough clean beats" if value is None else f"{value:.1f} ms"


_MAX_HR_WORDS = {
    "measured": "your own maximum heart rate",
    "estimated": "your maximum heart rate estimated from your age (Tanaka: 208 - 0.7 x age)",
    "assumed": "an assumed maximum heart rate (set your age or maximum in your profile)",
}


def explain_class_metrics(metrics: Mapping[str, Any]) -> dict[str, str]:
    """One sentence per class metric, rendered from the stored numbers (like the workout's own)."""
    targeted = [s for s in metrics["segments"] if s["target_zone"] is not None]
    if not targeted:
        zones = "This class sets no intended heart-rate zones, so there is no time in zone."
    elif not metrics["heart_rate_measured"]:
        zones = (
            "No heart rate was recorded during the class, so time in the intended zones was not "
            "measured; minutes, energy and points come from the class's typical effort (MET)."
        )
    else:
        parts = "; ".join(
            f"{s['name']} (zone {s['target_zone']}): {_clock(s['in_zone_s'] or 0.0)} of "
            f"{_clock(s['attended_s'])} in zone"
            for s in targeted
        )
        zones = (
            f"Time in each segment's intended zone: {parts}. Zones 1-5 start at 50, 60, 70, 80 "
            f"and 90 % of {_MAX_HR_WORDS[metrics['max_hr_source']]}, {metrics['max_hr']} bpm."
        )
    start, end = metrics["hrv_start_rmssd_ms"], metrics["hrv_end_rmssd_ms"]
    window = round(metrics["hrv_window_s"] / 60)
    rule = (
        f"beats outside {RR_MIN_MS:.0f}-{RR_MAX_MS:.0f} ms or more than {RR_MAX_JUMP:.0%} from "
        f"the previous accepted beat are left out, and at least {MIN_PAIRS} clean pairs are needed"
    )
    if start is None and end is None:
        hrv = (
            "HRV (RMSSD) at the start and end needs beat-to-beat (RR) intervals from a chest "
            f"strap; none usable were recorded ({rule})."
        )
    else:
        hrv = (
            f"HRV (RMSSD) over the first {window} minutes of beats: {_ms(start)}; over the last "
            f"{window} minutes: {_ms(end)} ({rule})."
        )
    label, ratio = metrics["relaxation"], metrics["relaxation_ln_ratio"]
    rule = (
        f"the rule calls ln(end RMSSD / start RMSSD) of +{RELAXATION_THRESHOLD:.2f} or more "
        f"relaxed, -{RELAXATION_THRESHOLD:.2f} or less activated, anything between steady"
    )
    if ratio is None:
        relaxation = f"Relaxation unknown: it needs HRV at both the start and the end ({rule})."
    else:
        relaxation = f"{label.capitalize()}: ln(end / start RMSSD) = {ratio:+.2f}; {rule}."
    return {
        "class_time_in_zone": zones,
        "class_hrv": hrv,
        "class_relaxation": relaxation,
    }
