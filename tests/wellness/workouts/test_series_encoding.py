"""The saved-series encoding (``Workout.series_*``): compact, and lossless bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from benchmarks.scoring import synthetic_run
from wellness.workouts.samples import (
    COLUMNS,
    Series,
    columns_from_bytes,
    columns_to_bytes,
    series_from_bytes,
)

T0 = 1_764_000_000.0


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))


def _run() -> Series:
    frame, rr = synthetic_run(3600, seed=5)
    records = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    beat_t = records[0, 0] + np.cumsum(rr) / 1000.0
    beat_t = beat_t[beat_t <= records[-1, 0]]
    return Series(records, np.column_stack((np.floor(beat_t), rr[: beat_t.size])))


def test_a_saved_one_hour_run_reads_back_bit_for_bit_in_less_space() -> None:
    series = _run()

    data, rr = series.to_bytes()
    loaded = series_from_bytes(data, rr)

    assert _same_bits(loaded.records, series.records)
    assert _same_bits(loaded.rr, series.rr)
    assert len(data) < 0.7 * series.records.nbytes  # power all NaN, t and hr whole numbers
    assert len(rr) < 0.8 * series.rr.nbytes  # the beats' t whole seconds


def test_a_series_saved_in_the_older_raw_float64_form_still_reads_back() -> None:
    series = _run()

    loaded = series_from_bytes(series.records.tobytes(), series.rr.tobytes())

    assert _same_bits(loaded.records, series.records)
    assert _same_bits(loaded.rr, series.rr)


def test_an_empty_series_and_no_rr_read_back_empty() -> None:
    empty = Series(np.empty((0, len(COLUMNS))), np.empty((0, 2)))

    loaded = series_from_bytes(*empty.to_bytes())

    assert loaded.records.shape == (0, len(COLUMNS))
    assert loaded.rr.shape == (0, 2)
    assert series_from_bytes(b"", b"").rr.shape == (0, 2)


def test_awkward_values_keep_their_exact_bits() -> None:
    payload_nan = np.array([0x7FF8_0000_0000_0001], dtype=np.uint64).view(np.float64)[0]
    columns = [
        [T0, T0 + 1, np.nan, T0 + 3],  # whole seconds with a gap
        [0.0, -0.0, 1.0, 2.0],  # negative zero
        [np.inf, 1.0, -np.inf, 2.0],
        [payload_nan, 1.0, 2.0, 3.0],  # a NaN with a payload
        [0.1, 0.2, 0.3, np.nan],  # not float32
        [0.5, 0.25, np.nan, 1.5],  # float32
        [0.0, 70_000.0, 5.0, 1e9],  # whole numbers, wide span
        [np.nan] * 4,
        [1e300, -1e300, 5e-324, 0.0],
    ]
    array = np.ascontiguousarray(np.array(columns, dtype=np.float64).T)

    loaded = columns_from_bytes(columns_to_bytes(array), len(COLUMNS))

    assert _same_bits(loaded, array)


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.just(len(COLUMNS))),
        elements=st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(width=32),
            st.integers(-300, 70_000).map(float),
            st.just(np.nan),
        ),
    )
)
def test_any_array_reads_back_bit_for_bit(array: np.ndarray) -> None:
    encoded = columns_to_bytes(array)

    assert len(encoded) % 8 == 4  # never mistaken for the raw form
    assert _same_bits(columns_from_bytes(encoded, len(COLUMNS)), array)


def test_a_saved_series_reads_back_column_major_so_scoring_reads_its_columns_without_a_copy() -> (
    None
):
    series = _run()

    loaded = series_from_bytes(*series.to_bytes())

    assert loaded.records.T.flags.c_contiguous
    assert loaded.rr[:, 1].flags.c_contiguous
    assert _same_bits(np.ascontiguousarray(loaded.records.T), series.records.T.copy())
