"""``manage.py seed_demo``: install demo people, worlds and challenges. Safe to run again."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app's demo module has ``seed() -> list[str]``; order matters (people before their challenges).
DEMO_MODULES = ["wellness.people.demo", "wellness.classes.demo", "worlds.demo", "challenges.demo"]


class Command(BaseCommand):
    help = (
        "Install demo users, worlds and challenges. Idempotent: running it twice changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for module_name in DEMO_MODULES:
            module = importlib.import_module(module_name)
            with transaction.atomic():
                lines = module.seed()
            for line in lines:
                self.stdout.write(f"{module_name}: {line}")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
