"""The packed sample layout and the deterministic merge of batches (pure, no database)."""

from __future__ import annotations

import numpy as np
import pytest

from wellness.samples import COLUMNS, SampleError, merge_batches, pack_samples, unpack_samples

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
