"""The models of the ``wellness`` app, defined in its sub-packages and gathered here for Django's app
loading (app label, tables and migrations stay ``wellness``). Code imports them from their sub-package."""

from wellness.people.models import (
    AccessLogEntry,
    AccessorRole,
    AccessToken,
    AccountLockout,
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
from wellness.scoring.models import (
    BestEffort,
    BestEffortKind,
    Progress,
    ScoreStatus,
    ScoringPending,
    StoredScore,
)
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
    "AccountLockout",
    "BestEffort",
    "BestEffortKind",
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
