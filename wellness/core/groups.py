"""Channel-layer group names shared by every app: a person's notifications and a workout's live stream."""

from __future__ import annotations

import hashlib


def user_group(user_id: int) -> str:
    """The group of a person's open notification sockets."""
    return f"user-{user_id}"


def workout_group(workout_id: int) -> str:
    """The group that hears a workout's live samples (its world, its class, its watchers)."""
    return f"workout-{workout_id}"


def person_sockets_group(user_id: int) -> str:
    """The group of every cookie-authenticated socket of a person (closed when their session
    ends, their account goes, their consent is withdrawn or they lose a role)."""
    return f"sockets-{user_id}"


def session_tag(session_key: str | None) -> str | None:
    """A session's name on the channel layer: a digest, never the session key itself."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]
