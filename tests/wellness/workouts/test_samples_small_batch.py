"""The pure-Python fast path for small batches packs exactly what the column-wise path does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wellness.workouts import samples as samples_module
from wellness.workouts.samples import (
    COLUMNS,
    RANGES,
    RR_RANGE,
    SMALL_BATCH,
    PackedBatch,
    SampleError,
    pack_samples,
)

T0 = 1_764_000_000.0


def _outcome(pack: Callable[[Any], PackedBatch], batch: Any) -> PackedBatch | str:
    try:
        return pack(batch)
    except SampleError as exc:
        return f"SampleError: {exc} (index={exc.index}, problem={exc.problem})"


def _in_range(key: str) -> st.SearchStrategy[Any]:
    low, high = RANGES[key]
    return st.one_of(
        st.floats(min_value=low, max_value=high),
        st.integers(min_value=int(low), max_value=int(high)),
        st.sampled_from([low, high]),
    )


_DOUBTFUL = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**1100), max_value=2**1100),
    st.sampled_from([float("nan"), float("inf"), -0.0, 10**400, 2**1023, [], {}]),
)
_RR_VALUE = st.one_of(
    st.floats(min_value=RR_RANGE[0], max_value=RR_RANGE[1]),
    st.integers(min_value=int(RR_RANGE[0]), max_value=int(RR_RANGE[1])),
)


@st.composite
def _sample(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 40)) == 0:
        return draw(st.sampled_from([None, [], "sample", 3, ["t"]]))
    sample: dict[str, Any] = {}
    for key in COLUMNS:
        present = (key == "t" and draw(st.integers(0, 30)) > 0) or draw(st.booleans())
        if present:
            doubtful = draw(st.integers(0, 25)) == 0
            sample[key] = draw(_DOUBTFUL if doubtful else _in_range(key))
    if draw(st.booleans()):
        if draw(st.integers(0, 25)) == 0:
            sample["rr"] = draw(
                st.one_of(st.none(), st.text(max_size=2), st.lists(_DOUBTFUL, max_size=3))
            )
        else:
            sample["rr"] = draw(st.lists(_RR_VALUE, max_size=22))
    if draw(st.integers(0, 40)) == 0:
        sample[draw(st.sampled_from(["heart_rate", "RR", "x"]))] = 1
    return sample


_BATCHES = st.lists(_sample(), min_size=0, max_size=SMALL_BATCH + 4)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(_BATCHES)
def test_small_batches_pack_and_fail_exactly_as_the_columnwise_path(batch: list[Any]) -> None:
    assert _outcome(pack_samples, batch) == _outcome(samples_module._pack_samples_columnwise, batch)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(_BATCHES)
def test_the_fast_path_accepts_only_what_the_columnwise_path_packs_identically(
    batch: list[Any],
) -> None:
    fast = samples_module._pack_small(batch) if batch else None
    if fast is not None:
        assert fast == samples_module._pack_samples_columnwise(batch)


@pytest.mark.parametrize(
    "batch",
    [
        [{"t": T0}],
        [{"t": T0, "hr": 120, "rr": [500, 510.5]}],
        [{"t": T0 + 1, "hr": 0, "lat": -90, "lon": 180}, {"t": T0, "rr": [], "power": 5000.0}],
        [{"t": T0 + i, "hr": 100 + i, "speed": -0.0, "rr": [600.0] * (i % 3)} for i in range(16)],
        [{"t": T0, "hr": None, "cadence": 90, "rr": None}],
    ],
)
def test_typical_live_batches_take_the_fast_path_byte_for_byte(batch: list[Any]) -> None:
    fast = samples_module._pack_small(batch)

    assert fast is not None
    expected = samples_module._pack_samples_columnwise(batch)
    assert (fast.data, fast.rr) == (expected.data, expected.rr)
    assert fast == expected


@pytest.mark.parametrize(
    "batch",
    [
        [{"t": T0, "hr": float("nan")}],
        [{"t": T0, "hr": True}],
        [{"t": T0, "hr": 10**400}],
        [{"t": T0, "rr": [50.0]}],
        [{"t": T0, "rr": [600.0] * 21}],
        [{"hr": 100}],
        [{"t": T0, "heart_rate": 100}],
        [{"t": T0}, "not a sample"],
    ],
)
def test_doubtful_small_batches_are_refused_with_the_columnwise_message(batch: list[Any]) -> None:
    assert samples_module._pack_small(batch) is None
    with pytest.raises(SampleError) as fast:
        pack_samples(batch)
    with pytest.raises(SampleError) as columnwise:
        samples_module._pack_samples_columnwise(batch)
    assert str(fast.value) == str(columnwise.value)
    assert fast.value.index == columnwise.value.index
