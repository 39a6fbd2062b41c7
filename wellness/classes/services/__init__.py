"""Writes for classes (catalogue, booking, live session, attendance), re-exported by name."""

from wellness.classes.groups import class_group, class_instructor_group, live_hr_key
from wellness.classes.services.attendance import (
    ATTENDED_CLOCK_SLACK_S,
    CLASS_SPORTS,
    MAX_ATTENDANCE_FACTOR,
    OUTDOOR_KINDS,
    attendance_complete,
    attendance_start_live,
    attendance_start_on_demand,
    occurrence_attendances_complete,
)
from wellness.classes.services.booking import (
    REMINDER_LEAD,
    booking_cancel,
    booking_create,
    booking_remind,
)
from wellness.classes.services.catalogue import (
    MAX_CAPACITY,
    MAX_OCCURRENCES_PER_SCHEDULE,
    SCHEDULE_HORIZON,
    class_create,
    instructor_grant,
    occurrences_schedule,
)
from wellness.classes.services.session import (
    LIVE_HR_TTL_S,
    MAX_HR,
    MIN_HR,
    SESSION_ACTIONS,
    live_hr_publish,
    live_share_set,
    session_control,
    session_end_overdue,
    sessions_end_overdue,
)

__all__ = [
    "ATTENDED_CLOCK_SLACK_S",
    "CLASS_SPORTS",
    "LIVE_HR_TTL_S",
    "MAX_ATTENDANCE_FACTOR",
    "MAX_CAPACITY",
    "MAX_HR",
    "MAX_OCCURRENCES_PER_SCHEDULE",
    "MIN_HR",
    "OUTDOOR_KINDS",
    "REMINDER_LEAD",
    "SCHEDULE_HORIZON",
    "SESSION_ACTIONS",
    "attendance_complete",
    "attendance_start_live",
    "attendance_start_on_demand",
    "booking_cancel",
    "booking_create",
    "booking_remind",
    "class_create",
    "class_group",
    "class_instructor_group",
    "instructor_grant",
    "live_hr_key",
    "live_hr_publish",
    "live_share_set",
    "occurrence_attendances_complete",
    "occurrences_schedule",
    "session_control",
    "session_end_overdue",
    "sessions_end_overdue",
]
