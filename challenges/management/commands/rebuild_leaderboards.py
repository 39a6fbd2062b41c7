"""``manage.py rebuild_leaderboards [CHALLENGE_ID ...]``: copy leaderboards from the database to Redis."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from challenges import services
from wellness.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Rebuild the Redis leaderboards from the database (the record); all challenges by default."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("challenge_ids", nargs="*", type=int, metavar="CHALLENGE_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = services.leaderboards_rebuild(challenge_ids=options["challenge_ids"] or None)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from None
        for challenge_id, entries in counts.items():
            self.stdout.write(f"challenge {challenge_id}: {entries} entries")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {len(counts)} leaderboard(s)."))
