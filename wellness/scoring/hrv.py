"""Heart-rate variability from RR intervals: one artefact filter for workouts and classes. No Django.

A beat is kept when it lies in ``RR_MIN_MS``..``RR_MAX_MS`` and within ``RR_MAX_DEVIATION`` of
the median of the four intervals around it (two before, two after, mirrored at the ends). The
rule and its sources are in ``wellness/scoring/SCORING.md`` ("Heart-rate variability").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from wellness.scoring.arrays import Array, sum_
from wellness.scoring.rules import HRV_MIN_BEATS, RR_MAX_DEVIATION, RR_MAX_MS, RR_MIN_MS


class Hrv(NamedTuple):
    rmssd_ms: float | None
    sdnn_ms: float | None
    beats: int  # intervals kept
    artefacts: int  # intervals removed


def local_median(r: Array) -> Array:
    """Median of the two intervals before and the two after each one (mirrored at the ends).

    Of four values the median is the mean of the middle two: the larger of the pair minima
    and the smaller of the pair maxima. Leaving the interval itself out keeps an artefact from
    pulling its own reference; taking four keeps one artefact next to it from doing so.
    """
    n = r.size
    if n < 3:
        return np.full(n, float(np.median(r))) if n else r.copy()
    p = np.concatenate((r[2:0:-1], r, r[-2:-4:-1])) if n >= 4 else np.pad(r, 2, mode="reflect")
    a, b, d, e = p[:n], p[1 : n + 1], p[3 : n + 3], p[4 : n + 4]
    # In place where it can be: an hour holds ~8,000 beats and each temporary costs.
    low = np.minimum(a, b)
    spare = np.minimum(d, e)
    np.maximum(low, spare, out=low)
    np.maximum(a, b, out=spare)
    high = np.maximum(d, e)
    np.minimum(spare, high, out=spare)
    low += spare
    low *= 0.5
    return low


def accepted_beats(r: Array) -> npt.NDArray[np.bool_]:
    """Which intervals (ms) the artefact filter keeps; NaN and infinite ones never."""
    reference = local_median(r)
    deviation = r - reference
    np.abs(deviation, out=deviation)
    reference *= RR_MAX_DEVIATION
    keep = deviation <= reference  # False where NaN
    keep &= r >= RR_MIN_MS
    keep &= r <= RR_MAX_MS
    return keep


def hrv(rr: Array | Sequence[float] | None) -> Hrv:
    """RMSSD and SDNN (ms) of the intervals the filter keeps, and the counts.

    RMSSD uses only differences between two kept intervals that follow each other; SDNN is the
    sample standard deviation of the kept intervals. Fewer than :data:`HRV_MIN_BEATS` kept
    intervals give no figures.
    """
    if rr is None or len(rr) == 0:
        return Hrv(None, None, 0, 0)
    r = np.asarray(rr, dtype=np.float64)
    if not math.isfinite(float(sum_(r))):
        r = np.where(np.isfinite(r), r, 0.0)  # a missing interval is an artefact, not a crash
    keep = accepted_beats(r)
    beats = int(np.count_nonzero(keep))
    if beats < HRV_MIN_BEATS:
        return Hrv(None, None, beats, r.size - beats)
    # Masked by multiplying before squaring, so a huge artefact (1e308) becomes 0, never inf*0.
    pairs = keep[1:] & keep[:-1]
    n_pairs = int(np.count_nonzero(pairs))
    change = r[1:] - r[:-1]
    change *= pairs
    rmssd = math.sqrt(float(change @ change) / n_pairs) if n_pairs else None
    weights = keep.astype(np.float64)
    deviation = r - float(r @ weights) / beats
    deviation *= weights
    sdnn = math.sqrt(float(deviation @ deviation) / (beats - 1))
    return Hrv(rmssd, sdnn, beats, r.size - beats)
