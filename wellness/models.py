"""The models of the ``wellness`` app, defined in its sub-packages and gathered here for Django's app
loading (app label, tables and migrations stay ``wellness``). Code imports them from their sub-package."""

from wellness.people.models import (
    AccessLogEntry,
    AccessorRole,
    AccessToken,
    ConsentPurpose,
    ConsentRecord,
    Profile,
    Sex,
    TokenScope,
    Units,
    User,
    UserManager,
    Visibility,
)
from wellness.scoring.models import Progress, ScoreStatus, ScoringPending, StoredScore
from wellness.workouts.models import (
    IdempotencyKey,
    SampleBatch,
    Sport,
    Workout,
    WorkoutSource,
    WorkoutStatus,
)

__all__ = [
    "AccessLogEntry",
    "AccessToken",
    "AccessorRole",
    "ConsentPurpose",
    "ConsentRecord",
    "IdempotencyKey",
    "Profile",
    "Progress",
    "SampleBatch",
    "ScoreStatus",
    "ScoringPending",
    "Sex",
    "Sport",
    "StoredScore",
    "TokenScope",
    "Units",
    "User",
    "UserManager",
    "Visibility",
    "Workout",
    "WorkoutSource",
    "WorkoutStatus",
]
