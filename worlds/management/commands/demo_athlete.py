"""``manage.py demo_athlete --world lakeside-loop --journal PATH``: get the demo athlete Ada ready
to stream a simulated run into a demo world; prints ``KEY=value`` lines for ``scripts/run.sh``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellness.core.errors import DomainError
from wellness.people.models import User
from worlds.demo import demo_athlete_prepare


class Command(BaseCommand):
    help = (
        "Make sure the demo user Ada has an ingest token, a live workout the bridge simulator "
        "resumes from its journal, and an avatar for it in a demo world. Prints WELLVERSE_TOKEN, "
        "DEMO_WORLD_ID, DEMO_WORKOUT_ID and DEMO_SESSION_ID as KEY=value lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--world", default="lakeside-loop", help="demo world id, name or slug (lakeside-loop)"
        )
        parser.add_argument(
            "--journal", required=True, help="the bridge journal the simulator will use"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            prepared = demo_athlete_prepare(
                world_key=options["world"], journal_path=options["journal"]
            )
        except User.DoesNotExist:
            raise CommandError(
                "The demo user Ada does not exist; run seed_demo first.", returncode=2
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        for key, value in prepared.items():
            self.stdout.write(f"{key}={value}")
