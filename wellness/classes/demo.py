"""Demo classes for ``manage.py seed_demo``: an instructor, a live yoga class, a breathing class."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wellness.classes import services
from wellness.classes.models import FitnessClass, Instructor
from wellness.people.demo import DEMO_PASSWORD
from wellness.people.models import User
from wellness.people.services import user_sign_up

INSTRUCTOR_EMAIL = "maya@demo.wellverse.test"

YOGA_SEGMENTS = [
    {"name": "Arrive", "duration_s": 180, "cue": "Sit or lie comfortably. Notice your breath.",
     "target_zone": 1},
    {"name": "Cat-cow", "duration_s": 240, "cue": "Round the spine as you exhale, arch as you "
     "inhale. Seated variant: hands on knees.", "target_zone": 1},
    {"name": "Sun salutation A", "duration_s": 600, "cue": "Move with the breath, one movement "
     "per breath. Seated variant: arms only.", "target_zone": 2},
    {"name": "Warrior II", "duration_s": 300, "cue": "Front knee over the ankle, gaze past the "
     "front hand.", "target_zone": 2},
    {"name": "Savasana", "duration_s": 480, "cue": "Let the floor hold you. Breathe out slowly.",
     "target_zone": 1},
]  # fmt: skip

BREATHING_SEGMENTS = [
    {"name": "Settle", "duration_s": 60, "cue": "Sit tall, shoulders soft, eyes closed or low."},
    {"name": "Resonant breathing", "duration_s": 300, "cue": "In for five, out for five.",
     "breathing": {"inhale_s": 5, "exhale_s": 5}},
    {"name": "Box breathing", "duration_s": 240, "cue": "In four, hold four, out four, hold four.",
     "breathing": {"inhale_s": 4, "hold_s": 4, "exhale_s": 4, "hold_out_s": 4}},
]  # fmt: skip


def seed() -> list[str]:
    lines = []
    user = User.objects.filter(email=INSTRUCTOR_EMAIL).first()
    if user is None:
        user = user_sign_up(email=INSTRUCTOR_EMAIL, password=DEMO_PASSWORD, display_name="Maya")
        lines.append(f"created demo instructor {INSTRUCTOR_EMAIL}")
    Instructor.objects.get_or_create(user=user, defaults={"bio": "Yoga and breath-work teacher."})
    if not FitnessClass.objects.filter(instructor__user=user, title="Morning flow").exists():
        tomorrow = (timezone.now() + dt.timedelta(days=1)).date()
        services.class_create(
            user=user,
            title="Morning flow",
            kind="yoga",
            level="beginner",
            delivery="live",
            segments=YOGA_SEGMENTS,
            capacity=12,
            time_zone="Europe/Berlin",
            first_start_local=dt.datetime.combine(tomorrow, dt.time(7, 0)),
            schedule_rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
            accessibility_notes="Seated variant for every pose; cues are always on screen.",
        )
        lines.append("created live yoga class 'Morning flow'")
    if not FitnessClass.objects.filter(instructor__user=user, title="Breathe and reset").exists():
        services.class_create(
            user=user,
            title="Breathe and reset",
            kind="breathing",
            delivery="on_demand",
            segments=BREATHING_SEGMENTS,
            accessibility_notes="No movement needed; the pacer is announced to screen readers.",
        )
        lines.append("created on-demand breathing class 'Breathe and reset'")
    return lines
