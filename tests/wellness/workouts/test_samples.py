"""The packed sample layout and the deterministic merge of batches (pure, no database)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks._sync_client import samples_as_columns
from tests.samples import unpack_samples
from wellness.workouts.samples import (
    COLUMNS,
    SampleError,
    merge_batches,
    pack_columns,
    pack_samples,
)

T0 = 1_764_000_000.0


def test_packed_samples_unpack_to_the_same_samples_with_absent_keys_left_out() -> None:
    samples = [
        {"t": T0, "hr": 120, "rr": [500.0, 498.5]},
        {"t": T0 + 1, "speed": 3.2, "distance": 12.5, "lat": 51.5, "lon": -0.1},
    ]

    packed = pack_samples(samples)

    assert (packed.count, packed.rr_count, packed.t_first, packed.t_last) == (2, 2, T0, T0 + 1)
    assert unpack_samples(packed.data, packed.rr) == [
        {"t": T0, "hr": 120.0, "rr": [500.0, 498.5]},
        {"t": T0 + 1, "speed": 3.2, "distance": 12.5, "lat": 51.5, "lon": -0.1},
    ]


@pytest.mark.parametrize(
    ("samples", "problem"),
    [
        ([], "non-empty list"),
        ("nope", "non-empty list"),
        ([{"hr": 120}], "t (UNIX seconds) is required"),
        ([{"t": T0, "hr": "120"}], "hr must be a number from 0 to 300"),
        ([{"t": T0, "hr": True}], "hr must be a number from 0 to 300"),
        ([{"t": T0, "hr": 400}], "hr must be a number from 0 to 300"),
        ([{"t": T0, "lat": 91}], "lat must be a number from -90 to 90"),
        ([{"t": float("nan")}], "t must be a number"),
        ([{"t": T0, "HR": 120}], "unknown key 'HR'"),
        ([{"t": T0, "rr": [20.0]}], "rr intervals must be numbers of 100-5000 ms"),
        ([{"t": T0, "rr": 800}], "rr must be a list"),
        ([{"t": T0}, 5], "each sample must be an object"),
        ([{"t": T0, "hr": 10**400}], "hr must be a number from 0 to 300"),
        ([{"t": T0, "rr": [10**400]}], "rr intervals must be numbers"),
        ([{"t": T0}, {"t": T0 + 1, "hr": 400}], "samples[1]: hr must be"),
        ([{"t": T0}, {"t": T0 + 1, "hr": None}, {"hr": 80}], "samples[2]: t (UNIX seconds)"),
        ([{"t": T0}, {"t": T0 + 1, "hr": float("nan")}], "samples[1]: hr must be"),
        ([{"t": T0, "rr": [500]}, {"t": T0 + 1, "rr": [500, 5001]}], "samples[1]: rr intervals"),
        (
            [{"t": T0, "rr": None}, {"t": T0 + 1, "rr": [500.0] * 21}],
            "samples[1]: rr must be a list",
        ),
        ([{"t": T0, "rr": [500]}, {"t": T0 + 1, "rr": ["500"]}], "samples[1]: rr intervals"),
    ],
)
def test_invalid_samples_are_refused_with_the_problem_named(samples: object, problem: str) -> None:
    with pytest.raises(SampleError) as refused:
        pack_samples(samples)

    assert problem in str(refused.value)


def test_merge_sorts_by_t_and_the_earlier_batch_wins_a_duplicated_timestamp() -> None:
    first = pack_samples([{"t": T0 + 2, "hr": 100, "rr": [600.0]}, {"t": T0, "hr": 90}])
    second = pack_samples([{"t": T0 + 1, "hr": 95}, {"t": T0 + 2, "hr": 99, "rr": [700.0]}])

    series = merge_batches(
        first.data + second.data, [2, 2], first.rr + second.rr, [first.rr_count, second.rr_count]
    )

    assert series.records[:, 0].tolist() == [T0, T0 + 1, T0 + 2]
    assert series.records[:, COLUMNS.index("hr")].tolist() == [90.0, 95.0, 100.0]
    assert series.rr.tolist() == [[T0 + 2, 600.0]]


def test_frame_has_exactly_the_contract_columns_as_float64() -> None:
    packed = pack_samples([{"t": T0, "hr": 100}])

    frame = merge_batches(packed.data, [1]).frame()

    assert list(frame.columns) == list(COLUMNS)
    assert set(frame.dtypes) == {np.dtype("float64")}
    assert np.isnan(frame["power"].iloc[0])


def test_samples_of_two_devices_at_the_same_instant_merge_into_one() -> None:
    foot_pod = pack_samples([{"t": T0, "speed": 3.0, "cadence": 170}, {"t": T0 + 1, "speed": 3.1}])
    strap = pack_samples([{"t": T0, "hr": 120, "rr": [500.0]}, {"t": T0 + 1, "hr": 121}])

    series = merge_batches(
        foot_pod.data + strap.data, [2, 2], foot_pod.rr + strap.rr, [0, strap.rr_count]
    )

    frame = series.frame()
    assert frame["t"].tolist() == [T0, T0 + 1]
    assert frame["hr"].tolist() == [120.0, 121.0]
    assert frame["speed"].tolist() == [3.0, 3.1]
    assert frame["cadence"].fillna(-1).tolist() == [170.0, -1]
    assert series.rr.tolist() == [[T0, 500.0]]


def test_a_duplicated_sample_with_rr_keeps_only_the_first_ones_intervals() -> None:
    first = pack_samples([{"t": T0, "hr": 120}, {"t": T0 + 1, "hr": 121, "rr": [510.0]}])
    again = pack_samples([{"t": T0, "hr": 99, "rr": [400.0]}, {"t": T0 + 1, "rr": [700.0]}])

    series = merge_batches(first.data + again.data, [2, 2], first.rr + again.rr, [1, 2])

    assert series.records[:, COLUMNS.index("hr")].tolist() == [120.0, 121.0]
    assert series.rr.tolist() == [[T0, 400.0], [T0 + 1, 510.0]]


MIXED: list[dict[str, Any]] = [
    {"t": T0, "hr": 120, "rr": [500.0, 498.5]},
    {"t": T0 + 1, "speed": 3.2, "distance": 12.5, "lat": 51.5, "lon": -0.1},
    {"t": T0 + 2, "hr": 121, "power": 250, "cadence": 88, "altitude": -3.5, "rr": [501.0]},
]


def test_samples_sent_as_columns_pack_to_exactly_the_same_batch() -> None:
    columns = samples_as_columns(MIXED)

    assert columns["rr"] == [500.0, 498.5, 501.0]
    assert columns["rr_counts"] == [2, 0, 1]
    assert columns["hr"] == [120, None, 121]
    assert pack_columns(columns) == pack_samples(MIXED)


def test_columns_without_rr_pack_with_no_intervals() -> None:
    packed = pack_columns({"t": [T0, T0 + 1], "hr": [100, None]})

    assert (packed.count, packed.rr_count) == (2, 0)
    assert unpack_samples(packed.data, packed.rr) == [{"t": T0, "hr": 100.0}, {"t": T0 + 1}]


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ([{"t": T0}], "columns: must be an object of equally long lists"),
        ({"t": [T0], "spo2": [97]}, "columns: unknown column 'spo2'"),
        ({"hr": [120]}, "columns.t: a non-empty list of UNIX seconds"),
        ({"t": []}, "columns.t: a non-empty list of UNIX seconds"),
        ({"t": [T0, None]}, "columns.t[1]: t (UNIX seconds) is required"),
        ({"t": [T0, T0 + 1], "hr": [120]}, "columns.hr: must be a list of 2 values, as long as t"),
        ({"t": [T0], "hr": 120}, "columns.hr: must be a list of 1 values"),
        (
            {"t": [T0, T0 + 1], "hr": [120, "121"]},
            "columns.hr[1]: hr must be a number from 0 to 300",
        ),
        (
            {"t": [T0, T0 + 1], "hr": [True, 120]},
            "columns.hr[0]: hr must be a number from 0 to 300",
        ),
        (
            {"t": [T0, T0 + 1], "hr": [None, 301]},
            "columns.hr[1]: hr must be a number from 0 to 300",
        ),
        ({"t": [T0, T0 + 1], "hr": [None, float("nan")]}, "columns.hr[1]: hr must be a number"),
        ({"t": [T0, float("inf")]}, "columns.t[1]: t must be a number"),
        ({"t": [T0], "lat": [10**400]}, "columns.lat[0]: lat must be a number from -90 to 90"),
        ({"t": [T0], "rr": [500.0]}, "columns: send rr and rr_counts together"),
        ({"t": [T0], "rr_counts": [0]}, "columns: send rr and rr_counts together"),
        (
            {"t": [T0], "rr": 500, "rr_counts": [1]},
            "columns.rr: must be a list of all RR intervals",
        ),
        ({"t": [T0, T0], "rr": [500], "rr_counts": [1]}, "columns.rr_counts: must be a list of 2"),
        (
            {"t": [T0], "rr": [], "rr_counts": [-1]},
            "columns.rr_counts[0]: the number of RR intervals",
        ),
        (
            {"t": [T0], "rr": [500] * 21, "rr_counts": [21]},
            "columns.rr_counts[0]: the number of RR",
        ),
        ({"t": [T0], "rr": [500], "rr_counts": [1.0]}, "columns.rr_counts[0]: the number of RR"),
        ({"t": [T0], "rr": [500, 501], "rr_counts": [1]}, "rr_counts add up to 1 but rr has 2"),
        ({"t": [T0, T0], "rr": [500, 20], "rr_counts": [0, 2]}, "columns.rr[1]: rr intervals must"),
        (
            {"t": [T0], "rr": [None], "rr_counts": [1]},
            "columns.rr[0]: rr intervals must be numbers",
        ),
    ],
)
def test_invalid_columns_are_refused_naming_the_column_and_position(
    columns: object, problem: str
) -> None:
    with pytest.raises(SampleError) as refused:
        pack_columns(columns)

    assert problem in str(refused.value)


def model_merge(batches: list[list[dict[str, Any]]]) -> tuple[list[list[float]], list[list[float]]]:
    """The merge rule in plain Python: per t, each column from the first sample (batch order, then
    position) that has it; the RR intervals of the first sample that has any."""
    merged: dict[float, dict[str, Any]] = {}
    for samples in batches:
        for sample in samples:
            into = merged.setdefault(sample["t"], {})
            for key, value in sample.items():
                if key not in into and (key != "rr" or value):
                    into[key] = value
    times = sorted(merged)
    records = [[float(merged[t].get(key, np.nan)) for key in COLUMNS] for t in times]
    rr = [[t, float(ms)] for t in times for ms in merged[t].get("rr", [])]
    return records, rr


sample_strategy = st.fixed_dictionaries(
    {"t": st.integers(0, 30).map(lambda s: T0 + s)},
    optional={
        "hr": st.integers(40, 200),
        "speed": st.floats(0, 10),
        "rr": st.lists(st.integers(300, 1500), max_size=3),
    },
)


@given(
    batches=st.lists(st.lists(sample_strategy, min_size=1, max_size=6), min_size=1, max_size=5),
    in_time_order=st.booleans(),
)
def test_merging_batches_equals_the_plain_merge_rule(
    batches: list[list[dict[str, Any]]], in_time_order: bool
) -> None:
    if in_time_order:  # one device recording in order: every t unique and rising
        flat = [dict(sample, t=T0 + i) for i, sample in enumerate(s for b in batches for s in b)]
        sizes = [len(b) for b in batches]
        batches = [flat[sum(sizes[:i]) : sum(sizes[: i + 1])] for i in range(len(sizes))]
    packed = [pack_samples(samples) for samples in batches]

    series = merge_batches(
        b"".join(p.data for p in packed),
        [p.count for p in packed],
        b"".join(p.rr for p in packed),
        [p.rr_count for p in packed],
    )

    records, rr = model_merge(batches)
    np.testing.assert_array_equal(series.records, np.array(records).reshape(-1, len(COLUMNS)))
    assert series.rr.tolist() == rr
