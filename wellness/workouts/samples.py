"""Samples: validation, the packed storage layout, and merging batches into one series.

Django-free so it is fast and trivially testable. A sample is a JSON object (``devices/README.md``):
only ``t`` is required; ``rr`` is a list of RR intervals in ms, every other key one number.

The saved series of a finished workout (``Workout.series_*``) uses a compact, lossless column
encoding instead (:func:`columns_to_bytes`); the raw layout below is still read there.

Packed layout (what :class:`wellness.models.SampleBatch` stores): ``data`` is ``count`` records of
:data:`COLUMNS` as little-endian float64, row-major, NaN where not measured; ``rr`` is ``rr_count``
pairs ``(row, rr_ms)``: the index in the batch of the sample each interval ended in (by row, not by
``t``, so when a duplicated sample loses the merge its intervals go with it). Row-major records
concatenate: the ``data`` of many batches joined end to end is still a valid ``(n, 9)`` array.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
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
RR_COUNTS_KEY = "rr_counts"  # the columnar form: how many of the rr intervals each sample has
DTYPE = np.dtype("<f8")
_INDEX = {name: i for i, name in enumerate(COLUMNS)}

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
    """A sample that cannot be stored; ``where[index]`` locates it in the upload (``samples[3]``
    in the per-sample format, ``columns.hr[3]`` in the columnar one)."""

    def __init__(self, index: int | None, problem: str, where: str = "samples") -> None:
        super().__init__(
            f"{where}[{index}]: {problem}" if index is not None else f"{where}: {problem}"
        )
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


# Validation runs per column rather than per sample, with the loops over values in C (map, set,
# numpy), so a 3,600-sample batch is checked in about a millisecond.


def pack_samples(samples: Any) -> PackedBatch:
    """Validate a list of sample objects and pack them; raises :class:`SampleError` on a fault."""
    if isinstance(samples, list) and 0 < len(samples) <= SMALL_BATCH:
        packed = _pack_small(samples)
        if packed is not None:
            return packed
    return _pack_samples_columnwise(samples)


# A live stream sends one sample a second, and numpy's fixed cost per column then outweighs the
# work itself: a full 1-sample batch packs in ~4 us this way against ~83 us column-wise (16
# samples: 39 against 96 us; 32: 77 against 122 us). Up to this many samples, a pure-Python pass
# checks and packs the batch. It only accepts; on anything doubtful it gives up and the
# column-wise path below decides, so every refusal and its message come from one place.
SMALL_BATCH = 32
_RECORD = struct.Struct(f"<{len(COLUMNS)}d")
_RR_PAIR = struct.Struct("<2d")
_ORDERED_RANGES = tuple((_INDEX[key], key, *RANGES[key]) for key in COLUMNS)


def _pack_small(samples: list[Any]) -> PackedBatch | None:
    """The packed batch of valid ``samples``, byte for byte what :func:`_pack_samples_columnwise`
    gives; ``None`` when any sample is doubtful (that path then names the fault)."""
    nan = math.nan
    data = bytearray()
    rr = bytearray()
    rr_count = 0
    t_first = t_last = nan
    for row, sample in enumerate(samples):
        if type(sample) is not dict or not sample.keys() <= _KNOWN_KEYS:
            return None
        record = [nan] * len(COLUMNS)
        for index, key, low, high in _ORDERED_RANGES:
            value = sample.get(key)
            if value is None:
                if index == 0:  # t is required
                    return None
                continue
            if type(value) not in _NUMBER:
                return None
            try:
                number = float(value)
            except OverflowError:
                return None
            if not low <= number <= high:  # NaN fails too
                return None
            record[index] = number
        data += _RECORD.pack(*record)
        t = record[0]
        if row == 0:
            t_first = t_last = t
        else:
            t_first, t_last = min(t_first, t), max(t_last, t)
        intervals = sample.get(RR_KEY)
        if intervals is None:
            continue
        if type(intervals) is not list or len(intervals) > MAX_RR_PER_SAMPLE:
            return None
        for value in intervals:
            if type(value) not in _NUMBER:
                return None
            try:
                ms = float(value)
            except OverflowError:
                return None
            if not RR_RANGE[0] <= ms <= RR_RANGE[1]:
                return None
            rr += _RR_PAIR.pack(row, ms)
        rr_count += len(intervals)
    return PackedBatch(
        data=bytes(data),
        rr=bytes(rr),
        count=len(samples),
        rr_count=rr_count,
        t_first=t_first,
        t_last=t_last,
    )


def _pack_samples_columnwise(samples: Any) -> PackedBatch:
    """:func:`pack_samples` for any batch: the checks run per column, with numpy."""
    if not isinstance(samples, list) or not samples:
        raise SampleError(None, "must be a non-empty list of objects")
    n = len(samples)
    if set(map(type, samples)) != {dict}:
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
    columns = {key: list(map(dict.get, samples, repeat(key, n))) for key in COLUMNS if key in keys}
    if None in columns.get("t", (None,)):
        raise SampleError(_first(samples, lambda s: s.get("t") is None), _T_REQUIRED)
    records = _records(columns, n, lambda key: "samples")
    if RR_KEY not in keys:
        return _packed(records, _NO_RR)
    sent = list(map(dict.get, samples, repeat(RR_KEY, n)))
    if not set(map(type, sent)) <= _LIST_OR_ABSENT:
        raise SampleError(_first(sent, lambda v: type(v) not in _LIST_OR_ABSENT), _RR_LIST)
    lists: list[list[Any]] = [v or [] for v in sent]
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=n)
    if counts.max() > MAX_RR_PER_SAMPLE:
        raise SampleError(int(np.argmax(counts > MAX_RR_PER_SAMPLE)), _RR_LIST)
    rows = np.repeat(np.arange(n), counts)
    intervals = list(chain.from_iterable(lists))
    return _packed(records, _rr_pairs(rows, intervals, lambda j: (int(rows[j]), "samples")))


def pack_columns(columns: Any) -> PackedBatch:
    """Validate and pack a batch sent as columns (the companion's wire format, devices/README.md):
    ``{"t": [...], "hr": [...], ..., "rr": [all intervals], "rr_counts": [per sample]}``, every
    column as long as ``t``, ``null`` where a sample has no value. Same checks as
    :func:`pack_samples`; raises :class:`SampleError` naming the column and position."""
    if type(columns) is not dict:
        raise SampleError(None, "must be an object of equally long lists", "columns")
    unknown = columns.keys() - _KNOWN_COLUMN_KEYS
    if unknown:
        raise SampleError(
            None,
            f"unknown column {sorted(unknown)[0]!r}; known: {', '.join(COLUMNS)}, rr, rr_counts",
            "columns",
        )
    t = columns.get("t")
    if type(t) is not list or not t:
        raise SampleError(None, "a non-empty list of UNIX seconds, one per sample", "columns.t")
    n = len(t)
    for key, values in columns.items():
        if key != RR_KEY and (type(values) is not list or len(values) != n):
            raise SampleError(None, f"must be a list of {n} values, as long as t", f"columns.{key}")
    if None in t:
        raise SampleError(t.index(None), _T_REQUIRED, "columns.t")
    records = _records(
        {k: v for k, v in columns.items() if k not in _RR_COLUMN_KEYS}, n, "columns.{}".format
    )
    if (RR_KEY in columns) != (RR_COUNTS_KEY in columns):
        raise SampleError(None, "send rr and rr_counts together", "columns")
    if RR_KEY not in columns:
        return _packed(records, _NO_RR)
    intervals, per_sample = columns[RR_KEY], columns[RR_COUNTS_KEY]
    if type(intervals) is not list:
        raise SampleError(None, "must be a list of all RR intervals in ms", "columns.rr")
    if not set(map(type, per_sample)) <= {int} or not (
        min(per_sample) >= 0 and max(per_sample) <= MAX_RR_PER_SAMPLE
    ):
        raise SampleError(
            _first(per_sample, lambda c: type(c) is not int or not 0 <= c <= MAX_RR_PER_SAMPLE),
            f"the number of RR intervals of the sample, 0-{MAX_RR_PER_SAMPLE}",
            "columns.rr_counts",
        )
    counts = np.array(per_sample, dtype=np.int64)
    if int(counts.sum()) != len(intervals):
        raise SampleError(
            None, f"rr_counts add up to {int(counts.sum())} but rr has {len(intervals)}", "columns"
        )
    rows = np.repeat(np.arange(n), counts)
    return _packed(records, _rr_pairs(rows, intervals, lambda j: (j, "columns.rr")))


_KNOWN_KEYS = frozenset((*COLUMNS, RR_KEY))
_RR_COLUMN_KEYS = frozenset((RR_KEY, RR_COUNTS_KEY))
_KNOWN_COLUMN_KEYS = frozenset((*COLUMNS, *_RR_COLUMN_KEYS))
# Exact types: bool is an int subclass, but True as a heart rate is a client bug, not 1 bpm.
_NUMBER_OR_ABSENT = frozenset((int, float, type(None)))
_NUMBER = frozenset((int, float))
_LIST_OR_ABSENT = frozenset((list, type(None)))
_T_REQUIRED = "t (UNIX seconds) is required"
_RR_LIST = f"rr must be a list of at most {MAX_RR_PER_SAMPLE} intervals in ms"
_RR_PROBLEM = f"rr intervals must be numbers of {RR_RANGE[0]:g}-{RR_RANGE[1]:g} ms"
_NO_RR = np.empty((0, 2), dtype=DTYPE)


def _records(columns: dict[str, list[Any]], n: int, where: Callable[[str], str]) -> np.ndarray:
    """The ``(n, len(COLUMNS))`` records of validated columns (``None`` for not measured)."""
    records = np.full((n, len(COLUMNS)), np.nan, dtype=DTYPE)
    for key in COLUMNS:  # in a fixed order, so the fault reported first is always the same one
        values = columns.get(key)
        if values is None:
            continue
        low, high = RANGES[key]
        problem = f"{key} must be a number from {low:g} to {high:g}"
        types = set(map(type, values))
        if not types <= _NUMBER_OR_ABSENT:
            index = _first(values, lambda v: type(v) not in _NUMBER_OR_ABSENT)
            raise SampleError(index, problem, where(key))
        try:
            # numpy turns None (absent) into NaN itself; a NaN sent explicitly must still fail.
            column = np.array(values, dtype=DTYPE)
        except OverflowError:  # an integer beyond float64, e.g. 10**400 in the JSON
            raise SampleError(_first(values, _huge), problem, where(key)) from None
        with np.errstate(invalid="ignore"):
            bad = ~((column >= low) & (column <= high))
        if type(None) in types:
            absent = np.isnan(column)
            if int(absent.sum()) != values.count(None):  # a NaN among the absent values
                raise SampleError(_first(values, _is_nan), problem, where(key))
            bad &= ~absent
        if bad.any():
            raise SampleError(int(np.argmax(bad)), problem, where(key))
        records[:, _INDEX[key]] = column
    return records


def _rr_pairs(
    rows: np.ndarray, intervals: list[Any], locate: Callable[[int], tuple[int, str]]
) -> np.ndarray:
    """``(row, rr_ms)`` pairs; ``locate(j)`` names the sample (or position) of interval ``j``."""
    if not set(map(type, intervals)) <= _NUMBER:
        raise SampleError(*_located(locate, _first(intervals, lambda v: type(v) not in _NUMBER)))
    try:
        ms = np.array(intervals, dtype=DTYPE)
    except OverflowError:
        raise SampleError(*_located(locate, _first(intervals, _huge))) from None
    with np.errstate(invalid="ignore"):
        bad = ~((ms >= RR_RANGE[0]) & (ms <= RR_RANGE[1]))
    if bad.any():
        raise SampleError(*_located(locate, int(np.argmax(bad))))
    return np.column_stack((rows.astype(DTYPE), ms)) if len(ms) else _NO_RR


def _located(locate: Callable[[int], tuple[int, str]], j: int) -> tuple[int, str, str]:
    index, where = locate(j)
    return index, _RR_PROBLEM, where


def _packed(records: np.ndarray, rr: np.ndarray) -> PackedBatch:
    t = records[:, 0]
    return PackedBatch(
        data=records.tobytes(),
        rr=rr.tobytes(),
        count=len(records),
        rr_count=len(rr),
        t_first=float(t.min()),
        t_last=float(t.max()),
    )


def _huge(value: Any) -> bool:
    return type(value) is int and abs(value) > 2**1000


def _is_nan(value: Any) -> bool:
    return type(value) is float and value != value


def _first(items: Sequence[Any], predicate: Any) -> int:
    return next(i for i, item in enumerate(items) if predicate(item))


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
        """The saved form (``Workout.series_*``): each array column by column, losslessly compact."""
        return columns_to_bytes(self.records), columns_to_bytes(self.rr)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.records, columns=list(COLUMNS), copy=False)


def merge_batches(
    data: bytes,
    counts: Sequence[int] | np.ndarray,
    rr: bytes = b"",
    rr_counts: Sequence[int] | np.ndarray = (),
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
        return Series(np.empty((0, width), dtype=DTYPE), _NO_RR)
    rr_pairs = np.frombuffer(rr, dtype=DTYPE).reshape(-1, 2)
    t = records[:, 0]
    if bool((t[1:] > t[:-1]).all()):
        # Already in time order with unique t (one device recording in order, the usual case):
        # nothing to merge, and each interval belongs to its own sample.
        if not len(rr_pairs):
            return Series(records, _NO_RR)
        global_row = _global_rows(counts, rr_pairs, rr_counts)
        if not bool((global_row[1:] >= global_row[:-1]).all()):
            by_row = np.argsort(global_row, kind="stable")
            global_row, rr_pairs = global_row[by_row], rr_pairs[by_row]
        return Series(records, np.column_stack((t[global_row], rr_pairs[:, 1])))
    order = np.argsort(t, kind="stable")
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
    if not len(rr_pairs):
        return Series(merged, _NO_RR)
    global_row = _global_rows(counts, rr_pairs, rr_counts)
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


def _global_rows(
    counts: Sequence[int] | np.ndarray, rr_pairs: np.ndarray, rr_counts: Sequence[int] | np.ndarray
) -> np.ndarray:
    """The row in the concatenation of each interval: its batch's first row plus its row there."""
    offsets = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    batch_of_rr = np.repeat(np.arange(len(rr_counts)), rr_counts)
    return offsets[batch_of_rr] + rr_pairs[:, 0].astype(np.int64)


def series_from_bytes(data: bytes, rr: bytes) -> Series:
    """A merged series saved with :meth:`Series.to_bytes` (or, before that, as raw float64)."""
    return Series(columns_from_bytes(data, len(COLUMNS)), columns_from_bytes(rr, 2))


# --- The saved-series encoding -----------------------------------------------------------------
# A float64 array stored column by column, each column in the smallest form that gives back every
# value bit for bit (checked on encoding, so the encoding is lossless by construction):
#   _ALL_NAN  nothing (a sensor that was not there: power on a run);
#   _OFFSET   a float64 base and unsigned integer offsets, the largest offset of the dtype standing
#             for NaN (t is whole seconds from the start, heart rate and cadence whole numbers);
#   _FLOAT32  float32 (values a device sent with float32 precision);
#   _FLOAT64  the values themselves.
# Layout: _MAGIC, rows (uint32), columns (uint8), then per column its code (uint8), for _OFFSET the
# offset dtype's size (uint8) and base (float64), then the columns' data one after another, then
# zero padding to a length of 4 modulo 8. The older saved form, the raw row-major float64 array,
# always has a length that is a multiple of 8, so the two can never be mistaken for each other.
_MAGIC = b"WVC1"
_ALL_NAN, _OFFSET, _FLOAT32, _FLOAT64 = range(4)
_OFFSET_DTYPES: dict[int, np.dtype[Any]] = {
    1: np.dtype("<u1"),
    2: np.dtype("<u2"),
    4: np.dtype("<u4"),
}
_HEADER = np.dtype([("rows", "<u4"), ("columns", "u1")])
_COLUMN_HEADER = np.dtype([("code", "u1"), ("size", "u1"), ("base", "<f8")])


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))


def _offset_decoded(base: float, offsets: np.ndarray) -> np.ndarray:
    nan = np.iinfo(offsets.dtype).max
    out = offsets.astype(DTYPE)
    out += base
    out[offsets == nan] = np.nan
    return out


def _column_encoded(column: np.ndarray) -> tuple[int, int, float, bytes]:
    """(code, offset size, base, data) of one float64 column."""
    # Casts that overflow or are invalid (inf, huge values) are caught by the bit-for-bit check.
    with np.errstate(all="ignore"):
        return _column_encoded_checked(column)


def _column_encoded_checked(column: np.ndarray) -> tuple[int, int, float, bytes]:
    measured = ~np.isnan(column)
    if not measured.any():
        if _same_bits(column, np.full(len(column), np.nan, dtype=DTYPE)):
            return _ALL_NAN, 0, 0.0, b""
        return _FLOAT64, 0, 0.0, column.tobytes()
    values = column[measured]
    base = float(values.min())
    span = float(values.max()) - base
    for size, dtype in _OFFSET_DTYPES.items():
        nan = np.iinfo(dtype).max
        if span >= nan:
            continue
        offsets = np.full(len(column), nan, dtype=dtype)
        offsets[measured] = (values - base).astype(dtype)
        if _same_bits(_offset_decoded(base, offsets), column):
            return _OFFSET, size, base, offsets.tobytes()
        break  # not whole numbers from the base (or not exactly so): no wider offset helps
    narrow = column.astype(np.float32)
    if _same_bits(narrow.astype(DTYPE), column):
        return _FLOAT32, 0, 0.0, narrow.tobytes()
    return _FLOAT64, 0, 0.0, column.tobytes()


def columns_to_bytes(array: np.ndarray) -> bytes:
    """A ``(rows, columns)`` float64 array in the saved-series encoding (see above)."""
    rows, width = array.shape
    header = np.zeros(1, dtype=_HEADER)
    header["rows"], header["columns"] = rows, width
    column_headers = np.zeros(width, dtype=_COLUMN_HEADER)
    parts = []
    for j in range(width):
        code, size, base, data = _column_encoded(np.ascontiguousarray(array[:, j], dtype=DTYPE))
        column_headers[j] = (code, size, base)
        parts.append(data)
    out = b"".join([_MAGIC, header.tobytes(), column_headers.tobytes(), *parts])
    return out + bytes((4 - len(out)) % 8)


def columns_from_bytes(data: bytes, width: int) -> np.ndarray:
    """The ``(rows, width)`` float64 array of :func:`columns_to_bytes`, or of the raw older form."""
    if len(data) % 8 != 4 or not data.startswith(_MAGIC):
        return np.frombuffer(data, dtype=DTYPE).reshape(-1, width)
    at = len(_MAGIC)
    header = np.frombuffer(data, dtype=_HEADER, count=1, offset=at)[0]
    rows, stored_width = int(header["rows"]), int(header["columns"])
    if stored_width != width:
        raise ValueError(f"a saved series of {stored_width} columns, expected {width}")
    at += _HEADER.itemsize
    column_headers = np.frombuffer(data, dtype=_COLUMN_HEADER, count=width, offset=at)
    at += _COLUMN_HEADER.itemsize * width
    # Decoded column by column into contiguous rows of a (width, rows) array, returned transposed:
    # the (rows, width) array the caller asks for, column-major, which is what scoring reads.
    out = np.empty((width, rows), dtype=DTYPE)
    for j, (code, size, base) in enumerate(column_headers.tolist()):
        if code == _ALL_NAN:
            out[j] = np.nan
            continue
        dtype: np.dtype[Any] | None
        if code == _OFFSET:
            dtype = _OFFSET_DTYPES.get(size)
        elif code == _FLOAT32:
            dtype = np.dtype("<f4")
        else:
            dtype = DTYPE if code == _FLOAT64 else None
        if dtype is None:
            raise ValueError(f"unknown saved-series column code {code}/{size}")
        values = np.frombuffer(data, dtype=dtype, count=rows, offset=at)
        at += dtype.itemsize * rows
        if code == _OFFSET:
            np.add(values, base, out=out[j], dtype=DTYPE)
            nan = np.iinfo(values.dtype).max
            # One reduction first: most columns have no gap, and masking costs several times more.
            if rows and np.maximum.reduce(values) == nan:
                out[j][values == nan] = np.nan
        else:
            out[j] = values
    return out.T
