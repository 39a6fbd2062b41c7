"""``manage.py worlds_live``: move avatars in worlds nobody is watching (one per deployment is enough;
more are harmless, avatars_advance is idempotent)."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from worlds.live import run_for_live_sessions


class Command(BaseCommand):
    help = "Run a world ticker for every world with a live session until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(run_for_live_sessions(seconds=options["seconds"]))
