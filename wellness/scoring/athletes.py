"""The scoring athlete of a person: their profile's physiology, None where not measured."""

from __future__ import annotations

from decimal import Decimal

from wellness.people.models import Profile
from wellness.people.selectors import age_years
from wellness.scoring.results import Athlete


def athlete_of(profile: Profile | None) -> Athlete:
    if profile is None:
        return Athlete()
    return athlete_from(
        birth_year=profile.birth_year,
        sex=profile.sex,
        weight_kg=profile.weight_kg,
        resting_hr=profile.resting_heart_rate,
        max_hr=profile.max_heart_rate,
        lthr=profile.lactate_threshold_heart_rate,
    )


def athlete_from(
    *,
    birth_year: int | None,
    sex: str | None,
    weight_kg: Decimal | float | None,
    resting_hr: int | None,
    max_hr: int | None,
    lthr: int | None,
) -> Athlete:
    """The athlete of a profile's stored values (all None: no profile)."""

    def number(value: Decimal | float | None) -> float | None:
        return None if value is None else float(value)

    return Athlete(
        age=number(age_years(birth_year)),
        sex=sex or None,
        weight_kg=number(weight_kg),
        resting_hr=number(resting_hr),
        max_hr=number(max_hr),
        lthr=number(lthr),
    )
