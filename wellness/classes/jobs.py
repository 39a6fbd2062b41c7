"""The names of the classes' background jobs (``wellness.core.jobs``), registered in ``apps.py``."""

BOOKING_REMIND_JOB = "classes.booking_remind"
ATTENDANCES_COMPLETE_JOB = "classes.occurrence_attendances_complete"
SESSION_END_OVERDUE_JOB = "classes.session_end_overdue"
