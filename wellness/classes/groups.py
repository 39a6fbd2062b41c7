"""Channel-group names of a live class session and the cache key of a shared heart rate."""


def class_group(occurrence_id: int) -> str:
    """Everyone in a live session (participants and the instructor)."""
    return f"class-{occurrence_id}"


def class_instructor_group(occurrence_id: int) -> str:
    """Only the instructor's console sockets: per-person zones go here and nowhere else."""
    return f"class-{occurrence_id}-instructor"


def live_hr_key(occurrence_id: int, user_id: int) -> str:
    return f"classes:hr:{occurrence_id}:{user_id}"
