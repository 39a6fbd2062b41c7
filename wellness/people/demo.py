"""Demo people for ``manage.py seed_demo``: idempotent, with consent recorded and physiology set."""

from __future__ import annotations

from dataclasses import dataclass

from wellness.people.models import User
from wellness.people.services import consent_grant, profile_update, user_sign_up

DEMO_PASSWORD = "Lakeside-Loop-42"  # noqa: S105 public by design; seeded only with DEBUG on


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    birth_year: int
    sex: str
    weight_kg: int
    resting_heart_rate: int


DEMO_PEOPLE = (
    DemoPerson("ada@demo.wellverse.test", "Ada", 1988, "female", 61, 52),
    DemoPerson("ben@demo.wellverse.test", "Ben", 1979, "male", 78, 58),
    DemoPerson("chloe@demo.wellverse.test", "Chloe", 1995, "female", 57, 49),
)


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def seed() -> list[str]:
    lines = []
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = user_sign_up(
                email=person.email, password=DEMO_PASSWORD, display_name=person.display_name
            )
            lines.append(f"created demo user {person.email}")
        consent_grant(user=user)
        profile_update(
            user=user,
            changes={
                "birth_year": person.birth_year,
                "sex": person.sex,
                "weight_kg": person.weight_kg,
                "resting_heart_rate": person.resting_heart_rate,
            },
        )
    lines.append(f"demo users sign in with password {DEMO_PASSWORD!r}")
    return lines
