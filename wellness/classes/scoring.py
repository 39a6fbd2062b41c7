"""Yoga-aware scoring: time in the intended zone per segment, HRV at start and end, mindful minutes
and a relaxation indicator. Pure functions on arrays, no Django, so the scoring pipeline can call
them with ``workout_frame``/``workout_rr`` output.

RR artefact filtering (:func:`rr_clean`): an interval is an artefact when it is outside 300-2000 ms
(a heart rate of 30-200 bpm) or differs by more than 20 % from the previous accepted interval (the
Malik rule used in Kubios-style pipelines). RMSSD uses only successive differences whose two
intervals are both accepted and adjacent in the recording, so a dropped beat never produces a
fake difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def time_in_target_zone(
    t: ArrayLike, hr: ArrayLike, segments: Sequence[Segment], *, start_t: float, max_hr: float
) -> list[float | None]:
    """Seconds spent in each segment's intended zone (None for a segment without a target).

    ``t`` in UNIX seconds, sorted; NaN heart rates are gaps. Segments follow each other from
    ``start_t`` with their planned durations.
    """
    ts = np.asarray(t, dtype=np.float64)
    hrs = np.asarray(hr, dtype=np.float64)
    hold = np.minimum(np.diff(ts, append=ts[-1] + 1.0) if ts.size else ts, MAX_HOLD_S)
    zones = np.array([hr_zone(h, max_hr) if np.isfinite(h) else -1 for h in hrs])
    result: list[float | None] = []
    seg_start = start_t
    for segment in segments:
        seg_end = seg_start + segment.duration_s
        if segment.target_zone is None:
            result.append(None)
        else:
            # Clip each sample's hold interval to the segment.
            lo = np.clip(ts, seg_start, seg_end)
            hi = np.clip(ts + hold, seg_start, seg_end)
            in_zone = zones == segment.target_zone
            result.append(round(float(np.sum((hi - lo)[in_zone])), 3))
        seg_start = seg_end
    return result


def mindful_minutes(kind: str, segments: Sequence[Segment], attended_s: float) -> int:
    """Whole minutes of mindful practice: all attended time of a yoga or breathing class; in other
    classes only the attended part of segments with a breathing pattern."""
    if kind in MINDFUL_KINDS:
        return int(max(0.0, attended_s) // 60)
    mindful = 0.0
    elapsed = 0.0
    for segment in segments:
        attended = max(0.0, min(segment.duration_s, attended_s - elapsed))
        if segment.breathing is not None:
            mindful += attended
        elapsed += segment.duration_s
    return int(mindful // 60)


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
