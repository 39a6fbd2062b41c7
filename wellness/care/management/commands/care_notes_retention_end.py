"""``manage.py care_notes_retention_end``: delete the consultation notes an organisation kept
after an erasure or account deletion once WELLVERSE_CARE_NOTES_RETENTION_DAYS have passed; run daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wellness.care.services import consultation_notes_retention_end


class Command(BaseCommand):
    help = (
        "Delete the consultation notes kept for an organisation (after the patient's erasure or "
        "an account's deletion) whose retention period has ended. Idempotent; run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = consultation_notes_retention_end()
        self.stdout.write(f"Deleted {count} note(s) whose retention period had ended.")
