"""``manage.py import_activity FILE --user EMAIL``: store an activity file, print its summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devices import services as device_services
from wellness.core.errors import ConsentRequired, DomainError
from wellness.people.models import User


class Command(BaseCommand):
    help = (
        "Import a FIT, GPX or TCX activity file (or a Wellverse CSV export) as a finished "
        "workout of the given user and print a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The activity file (.fit, .gpx, .tcx, .csv).")
        parser.add_argument("--user", required=True, help="The email of the workout's owner.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        email: str = options["user"]
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the email {email}.", returncode=2)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.", returncode=2) from None
        try:
            device_services.import_size_check(size=size)
            imported = device_services.workout_import(
                user=user, data=path.read_bytes(), filename=path.name
            )
        except ConsentRequired:
            raise CommandError(
                f"{email} has not consented to storing health data, so nothing was imported.",
                returncode=2,
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(json.dumps(imported.summary, indent=2))
