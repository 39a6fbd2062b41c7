"""``manage.py care_notes_reencrypt``: write every consultation note again under the first key of
WELLVERSE_FIELD_ENCRYPTION_KEYS, the step of a key rotation after which old keys may go."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wellness.care.services import consultation_notes_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every consultation note version with the first key of "
        "WELLVERSE_FIELD_ENCRYPTION_KEYS (every listed key must still be present). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = consultation_notes_reencrypt()
        self.stdout.write(f"Re-encrypted {count} note version(s) with the first key.")
