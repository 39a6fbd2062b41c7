"""A bookable clinician and a person in their care (tests/wellness/care/booking_fixtures.py)."""

from tests.wellness.care.booking_fixtures import clinician, patient

__all__ = ["clinician", "patient"]
