from __future__ import annotations

import pytest

from wellness.people.physiology import effective_max_heart_rate, estimate_max_heart_rate


@pytest.mark.parametrize(("age", "expected"), [(20, 194), (40, 180), (60, 166), (0, 208)])
def test_tanaka_estimate(age: int, expected: int) -> None:
    assert estimate_max_heart_rate(age) == expected


def test_measured_value_is_used_as_is() -> None:
    estimate = effective_max_heart_rate(187, 40)

    assert estimate is not None
    assert (estimate.value, estimate.source, estimate.formula) == (187, "measured", None)


def test_no_estimate_without_an_age() -> None:
    assert effective_max_heart_rate(None, None) is None


def test_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate_max_heart_rate(-1)
