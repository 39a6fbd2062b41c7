"""Physiological estimates used where a person has not measured their own values. No Django imports."""

from __future__ import annotations

from dataclasses import dataclass

TANAKA_FORMULA = "Tanaka, Monahan & Seals 2001: 208 - 0.7 x age"


@dataclass(frozen=True)
class Estimate:
    value: int
    source: str  # "measured" or "estimated"
    formula: str | None = None


def estimate_max_heart_rate(age_years: int) -> int:
    """Age-predicted maximum heart rate (Tanaka et al. 2001, J Am Coll Cardiol 37:153-156).

    Chosen over 220 - age because Tanaka's meta-analysis of 18,712 subjects showed 220 - age
    underestimates maximum heart rate in older adults.
    """
    if age_years < 0:
        raise ValueError("age must not be negative")
    return round(208 - 0.7 * age_years)


def effective_max_heart_rate(measured: int | None, age_years: int | None) -> Estimate | None:
    """The measured maximum if known, else Tanaka's estimate, else nothing (age unknown)."""
    if measured is not None:
        return Estimate(value=measured, source="measured")
    if age_years is None:
        return None
    return Estimate(
        value=estimate_max_heart_rate(age_years), source="estimated", formula=TANAKA_FORMULA
    )
