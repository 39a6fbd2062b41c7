"""``manage.py rescore [--user EMAIL] [--since DATE]``: score finished workouts again, in place."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wellness.core.errors import DomainError
from wellness.scoring.pipeline import workouts_score
from wellness.scoring.selectors import workouts_to_rescore

CHUNK = 200


class Command(BaseCommand):
    help = (
        "Score finished workouts again (after a formula or profile change). Idempotent: a workout's "
        "score and points are replaced, never added twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", metavar="EMAIL", help="Only this person's workouts.")
        parser.add_argument(
            "--since", metavar="DATE", help="Only workouts started on or after this date (UTC)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since {options['since']!r} is not a date; write it as YYYY-MM-DD.",
                    returncode=2,
                ) from None
        try:
            ids = workouts_to_rescore(email=options["user"], since=since)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from None
        # The wrapped stream: OutputWrapper would end each of tqdm's \r updates with a newline.
        stream = cast("TextIO", self.stderr._out)
        with tqdm(total=len(ids), unit="workout", file=stream) as bar:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                workouts_score(workout_ids=chunk)
                bar.update(len(chunk))
        self.stdout.write(self.style.SUCCESS(f"Re-scored {len(ids)} workout(s)."))
