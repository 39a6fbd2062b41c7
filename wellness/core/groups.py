"""Channel-layer group names shared by every app: a person's notifications and a workout's live stream."""

from __future__ import annotations


def user_group(user_id: int) -> str:
    """The group of a person's open notification sockets."""
    return f"user-{user_id}"


def workout_group(workout_id: int) -> str:
    """The group that hears a workout's live samples (its world, its class, its watchers)."""
    return f"workout-{workout_id}"
