"""The names of the appointments' background jobs (``wellness.core.jobs``), registered in ``apps.py``."""

APPOINTMENT_REMIND_JOB = "care.appointment_remind"
