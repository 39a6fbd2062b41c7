"""A generated secret key shared by every process of an install, kept in a file.

With ``DEBUG`` on and no ``SECRET_KEY`` (settings), or under ``make run`` (scripts/run.sh), every
server worker, Celery worker and management command must sign with the same key, or a session made
by one process is refused by the next. The key is kept in the var directory, mode 0600, so sign-ins
also survive a restart.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def secret_key_from_file(path: Path) -> str:
    """The key kept at ``path``, generating it there first if no process has yet.

    Processes starting together agree: each writes a complete candidate to its own file and
    hard-links it to ``path``, which only the first link creates; every loser reads the winner's.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(candidate, path)
        finally:
            candidate.unlink()
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"The secret key file {path} is empty; remove it.")
    return key
