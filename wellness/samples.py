"""Samples: validation, the packed storage layout, and merging batches into one series.

Django-free so it is fast and trivially testable. A sample is a JSON object (``devices/README.md``):
only ``t`` is required; ``rr`` is a list of RR intervals in ms, every other key one number.

Packed layout (what :class:`wellness.models.SampleBatch` stores): ``data`` is ``count`` records of
:data:`COLUMNS` as little-endian float64, row-major, NaN where not measured; ``rr`` is ``rr_count``
pairs ``(row, rr_ms)``: the index in the batch of the sample each interval ended in (by row, not by
``t``, so when a duplicated sample loses the merge its intervals go with it). Row-major records
concatenate: the ``data`` of many batches joined end to end is still a valid ``(n, 9)`` array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

COLUMNS: tuple[str, ...] = (
    "t",
    "hr",
    "cadence",
    "speed",
    "distance",
    "power",
    "altitude",
    "lat",
    "lon",
)
RR_KEY = "rr"
DTYPE = np.dtype("<f8")
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
# Exact types: bool is an int subclass, but True as a heart rate is a client bug, not 1 bpm.

# Plausible ranges: anything outside is a sensor or client bug and is refused, not stored.
RANGES: dict[str, tuple[float, float]] = {
    "t": (946_684_800.0, 4_102_444_800.0),  # 2000-01-01 .. 2100-01-01 UTC
    "hr": (0.0, 300.0),
    "cadence": (0.0, 400.0),
    "speed": (0.0, 100.0),
    "distance": (0.0, 10_000_000.0),
    "power": (0.0, 5_000.0),
    "altitude": (-500.0, 9_000.0),
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
}
RR_RANGE = (100.0, 5_000.0)
MAX_RR_PER_SAMPLE = 20


class SampleError(ValueError):
    """A sample that cannot be stored; ``index`` is its position in the batch."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(f"samples[{index}]: {problem}")
        self.index = index
        self.problem = problem


@dataclass(frozen=True)
class PackedBatch:
    data: bytes
    rr: bytes
    count: int
    rr_count: int
    t_first: float
    t_last: float


def pack_samples(samples: Any) -> PackedBatch:
    """Validate a list of sample objects and pack them; raises :class:`SampleError` on a fault.

    Validation runs per column rather than per sample (a 3,600-sample batch in a few ms): the
    set of keys, the set of value types, then vectorised range checks.
    """
    if not isinstance(samples, list) or not samples:
        raise SampleError(0, "samples must be a non-empty list of objects")
    n = len(samples)
    if not all(type(sample) is dict for sample in samples):
        raise SampleError(
            _first(samples, lambda s: type(s) is not dict), "each sample must be an object"
        )
    keys: set[str] = set().union(*samples)
    unknown = keys - _KNOWN_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise SampleError(
            _first(samples, lambda s: key in s),
            f"unknown key {key!r}; known keys: {', '.join(COLUMNS)}, rr",
        )
    if "t" not in keys or not all("t" in sample for sample in samples):
        raise SampleError(_first(samples, lambda s: "t" not in s), "t (UNIX seconds) is required")
    records = np.full((n, len(COLUMNS)), np.nan, dtype=DTYPE)
    for key in keys:
        if key == RR_KEY:
            continue
        values = [sample.get(key) for sample in samples]
        low, high = RANGES[key]
        problem = f"{key} must be a number from {low:g} to {high:g}"
        if not set(map(type, values)) <= _NUMBER_OR_ABSENT:
            raise SampleError(_first(values, lambda v: type(v) not in _NUMBER_OR_ABSENT), problem)
        try:
            # numpy turns None (absent) into NaN itself; a NaN sent explicitly must still fail.
            column = np.array(values, dtype=DTYPE)
        except OverflowError:  # an integer beyond float64, e.g. 10**400 in the JSON
            raise SampleError(_first(values, _huge), problem) from None
        present = np.array([v is not None for v in values]) if None in values else True
        with np.errstate(invalid="ignore"):
            bad = present & ~((column >= low) & (column <= high))
        if bad.any():
            raise SampleError(int(np.argmax(bad)), problem)
        records[:, _INDEX[key]] = column
    rr = _pack_rr(samples) if RR_KEY in keys else np.empty((0, 2), dtype=DTYPE)
    t = records[:, 0]
    return PackedBatch(
        data=records.tobytes(),
        rr=rr.tobytes(),
        count=n,
        rr_count=len(rr),
        t_first=float(t.min()),
        t_last=float(t.max()),
    )


_KNOWN_KEYS = frozenset((*COLUMNS, RR_KEY))
_NUMBER_OR_ABSENT = frozenset((int, float, type(None)))
_NUMBER = frozenset((int, float))


def _huge(value: Any) -> bool:
    return type(value) is int and abs(value) > 2**1000


def _first(items: Sequence[Any], predicate: Any) -> int:
    return next(i for i, item in enumerate(items) if predicate(item))


def _pack_rr(samples: list[dict[str, Any]]) -> np.ndarray:
    rows: list[float] = []
    intervals: list[Any] = []
    problem = f"rr intervals must be numbers of {RR_RANGE[0]:g}-{RR_RANGE[1]:g} ms"
    for i, sample in enumerate(samples):
        value = sample.get(RR_KEY)
        if value is None:
            continue
        if type(value) is not list or len(value) > MAX_RR_PER_SAMPLE:
            raise SampleError(
                i, f"rr must be a list of at most {MAX_RR_PER_SAMPLE} intervals in ms"
            )
        if not set(map(type, value)) <= _NUMBER:
            raise SampleError(i, problem)
        rows.extend([float(i)] * len(value))
        intervals.extend(value)
    pairs = np.empty((len(rows), 2), dtype=DTYPE)
    pairs[:, 0] = rows
    try:
        pairs[:, 1] = intervals
    except OverflowError:
        raise SampleError(int(rows[_first(intervals, _huge)]), problem) from None
    with np.errstate(invalid="ignore"):
        bad = ~((pairs[:, 1] >= RR_RANGE[0]) & (pairs[:, 1] <= RR_RANGE[1]))
    if bad.any():
        raise SampleError(int(pairs[int(np.argmax(bad)), 0]), problem)
    return pairs


def unpack_samples(data: bytes, rr: bytes = b"") -> list[dict[str, Any]]:
    """The JSON form of one packed batch (absent keys for NaN)."""
    records = np.frombuffer(data, dtype=DTYPE).reshape(-1, len(COLUMNS))
    rr_pairs = np.frombuffer(rr, dtype=DTYPE).reshape(-1, 2)
    by_row: dict[int, list[float]] = {}
    for row, ms in rr_pairs.tolist():
        by_row.setdefault(int(row), []).append(ms)
    return _as_json(records, by_row)


def samples_as_json(records: np.ndarray, rr_pairs: np.ndarray) -> list[dict[str, Any]]:
    """The JSON form of a merged series (unique t; ``rr_pairs`` are ``(t, rr_ms)``)."""
    row_of_t = {t: i for i, t in enumerate(records[:, 0].tolist())}
    by_row: dict[int, list[float]] = {}
    for t, ms in rr_pairs.tolist():
        by_row.setdefault(row_of_t[t], []).append(ms)
    return _as_json(records, by_row)


def _as_json(records: np.ndarray, rr_by_row: dict[int, list[float]]) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(records.tolist()):
        sample = {name: value for name, value in zip(COLUMNS, row, strict=True) if value == value}
        if i in rr_by_row:
            sample[RR_KEY] = rr_by_row[i]
        out.append(sample)
    return out


@dataclass(frozen=True)
class Series:
    """A workout's merged samples: ``records`` sorted by unique t, ``rr`` pairs in time order."""

    records: np.ndarray  # (n, len(COLUMNS)) float64
    rr: np.ndarray  # (m, 2) float64: t of the sample, rr_ms

    def to_bytes(self) -> tuple[bytes, bytes]:
        return self.records.tobytes(), self.rr.tobytes()

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.records, columns=list(COLUMNS), copy=False)


def merge_batches(
    data: bytes, counts: Sequence[int], rr: bytes = b"", rr_counts: Sequence[int] = ()
) -> Series:
    """Merge concatenated batches (given in a fixed batch order) into one series.

    Where several samples share a ``t`` (two devices at once, a device that re-sent under a new
    seq), they become one sample: each column takes the first measured value in batch order, then
    in batch position, and the RR intervals are those of the first of them that has any. So a
    heart-rate strap and a foot pod reporting at the same instant both keep their values, and the
    result does not depend on arrival order.
    """
    width = len(COLUMNS)
    records = np.frombuffer(data, dtype=DTYPE).reshape(-1, width)
    n = records.shape[0]
    if n == 0:
        return Series(np.empty((0, width), dtype=DTYPE), np.empty((0, 2), dtype=DTYPE))
    order = np.argsort(records[:, 0], kind="stable")
    ordered = records[order]
    first = np.ones(n, dtype=bool)
    first[1:] = ordered[1:, 0] != ordered[:-1, 0]
    starts = np.flatnonzero(first)
    rows = np.arange(n)
    if len(starts) == n:
        merged = ordered
    else:
        # Per group of equal t and per column, the first row (in order) with a value.
        merged = np.empty((len(starts), width), dtype=DTYPE)
        measured = ~np.isnan(ordered)
        for column in range(width):
            candidate = np.where(measured[:, column], rows, n)
            chosen = np.minimum.reduceat(candidate, starts)
            found = chosen < n
            merged[:, column] = np.where(found, ordered[np.minimum(chosen, n - 1), column], np.nan)
    rr_pairs = np.frombuffer(rr, dtype=DTYPE).reshape(-1, 2)
    if not rr_pairs.shape[0]:
        return Series(merged, np.empty((0, 2), dtype=DTYPE))
    # Global row of each interval: its batch's first row plus its row within the batch.
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    batch_of_rr = np.repeat(np.arange(len(rr_counts)), rr_counts)
    global_row = offsets[batch_of_rr] + rr_pairs[:, 0].astype(np.int64)
    # In each group, the intervals of the first row (in order) that has any are kept.
    has_rr = np.bincount(global_row, minlength=n)[order] > 0
    owner = np.minimum.reduceat(np.where(has_rr, rows, n), starts)
    rank = np.full(n, -1, dtype=np.int64)
    with_rr = owner < n
    rank[order[owner[with_rr]]] = np.flatnonzero(with_rr)
    position = rank[global_row]
    keep = position >= 0
    position, intervals = position[keep], rr_pairs[keep, 1]
    by_time = np.argsort(position, kind="stable")
    position, intervals = position[by_time], intervals[by_time]
    return Series(merged, np.column_stack((merged[position, 0], intervals)))


def series_from_bytes(data: bytes, rr: bytes) -> Series:
    """A merged series saved with :meth:`Series.to_bytes`."""
    return Series(
        np.frombuffer(data, dtype=DTYPE).reshape(-1, len(COLUMNS)),
        np.frombuffer(rr, dtype=DTYPE).reshape(-1, 2),
    )
