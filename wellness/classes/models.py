"""Instructors, classes (with their segments), live occurrences, bookings, live sharing choices and
attendances (a class taken, with its workout)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Instructor(models.Model):
    """The role that lets a person publish classes and run live sessions.

    Granted by an admin (``community`` None: may publish in the global catalogue), or by an
    organizer of a community to one of its members (``community`` records where: they publish
    only there). See ``services.instructor_grant`` for who may grant.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instructor"
    )
    bio = models.TextField(blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    community = models.ForeignKey(
        "challenges.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"instructor {self.user_id}"


class ClassKind(models.TextChoices):
    YOGA = "yoga", "Yoga"
    MOBILITY = "mobility", "Mobility"
    BREATHING = "breathing", "Breathing"
    HIIT = "hiit", "HIIT"
    RUN_CLUB = "run_club", "Run club"


class Level(models.TextChoices):
    ALL = "all", "All levels"
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Delivery(models.TextChoices):
    ON_DEMAND = "on_demand", "On demand"
    LIVE = "live", "Live"


class FitnessClass(models.Model):
    """A class as published. ``segments`` is a validated list (see ``services.class_create``)."""

    # Deleting the instructor's account detaches their classes instead of deleting them: other
    # people's bookings, attendances and history of those classes stay.
    instructor = models.ForeignKey(
        Instructor, on_delete=models.SET_NULL, null=True, related_name="classes"
    )
    # None: the global catalogue (admin-granted instructors only); else published in a community
    # (by an instructor granted there, or an admin-granted one who is a member). Protected: a
    # community's classes, and the attendances of them, outlive no deletion silently.
    community = models.ForeignKey(
        "challenges.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=ClassKind.choices)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.ALL)
    language = models.CharField(max_length=16, default="en")
    segments = models.JSONField(default=list)
    duration_seconds = models.PositiveIntegerField()
    media_url = models.URLField(blank=True)
    accessibility_notes = models.TextField(blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    # Live classes: an RFC 5545 RRULE in the class's own time zone, starting at first_start_local,
    # so "Mondays 07:00 Europe/Berlin" stays at 07:00 local time across daylight-saving changes.
    schedule_rrule = models.CharField(max_length=200, blank=True)
    first_start_local = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "fitness classes"

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class ClassOccurrence(models.Model):
    """One dated run of a live class, and the state of its live session.

    The session state lives here, not only in the channel layer, so a socket that joins late or
    reconnects is sent the truth. ``revision`` grows by one with every change: clients drop a state
    whose revision is not newer than the one they show, so out-of-order deliveries cannot rewind.
    """

    fitness_class = models.ForeignKey(
        FitnessClass, on_delete=models.CASCADE, related_name="occurrences"
    )
    starts_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booked_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    segment_index = models.PositiveIntegerField(default=0)
    # Seconds spent in the current segment before running_since (accumulated across pauses).
    segment_elapsed = models.FloatField(default=0.0)
    running_since = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    # Every change of the session as {"t": UNIX seconds, "segment": index, "status": status}, so
    # time in the intended zone is measured over the segments as the instructor actually ran them.
    timeline = models.JSONField(default=list)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fitness_class", "starts_at"], name="classes_one_occurrence_per_start"
            ),
            # The database itself refuses overbooking, whatever a code path forgets.
            models.CheckConstraint(
                condition=Q(booked_count__lte=F("capacity")), name="classes_booked_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fitness_class_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    occurrence = models.ForeignKey(
        ClassOccurrence, on_delete=models.CASCADE, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_bookings"
    )
    status = models.CharField(max_length=16, choices=BookingStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=~Q(status="cancelled"),
                name="classes_one_active_booking_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.occurrence_id}"


class LiveShare(models.Model):
    """A participant's choice, per occurrence, to share live heart rate with the class.

    Without a row with ``sharing`` the person never appears in anyone else's view or message.
    ``show_numbers`` additionally lets the instructor (only) see their bpm; ``use_pseudonym`` hides their
    public name behind their pseudonym even if their profile is public.
    """

    occurrence = models.ForeignKey(
        ClassOccurrence, on_delete=models.CASCADE, related_name="live_shares"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sharing = models.BooleanField(default=False)
    show_numbers = models.BooleanField(default=False)
    use_pseudonym = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="classes_one_share_row")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} sharing={self.sharing} in {self.occurrence_id}"


class AttendanceStatus(models.TextChoices):
    STARTED = "started", "Taking it now"
    COMPLETED = "completed", "Completed"


class Attendance(models.Model):
    """A person taking a class: a live occurrence they joined, or an on-demand class they played.

    ``workout`` (sport from the class's kind, source ``class``) is what the scoring pipeline scores
    and hands to challenges, streaks, badges and worlds; it exists only with health-data consent.
    ``metrics`` holds the yoga-aware class metrics computed when the attendance completes (time in
    the intended zone per segment, HRV at start and end, relaxation): health data, erased with it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_attendances"
    )
    fitness_class = models.ForeignKey(
        FitnessClass, on_delete=models.CASCADE, related_name="attendances"
    )
    occurrence = models.ForeignKey(
        ClassOccurrence,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendances",
    )
    workout = models.OneToOneField(
        "wellness.Workout",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="class_attendance",
    )
    status = models.CharField(
        max_length=16, choices=AttendanceStatus.choices, default=AttendanceStatus.STARTED
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    metrics = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "status", "-started_at"])]
        constraints = [
            # A live occurrence is attended once: joining again (a reconnect) resumes it.
            models.UniqueConstraint(
                fields=["user", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="classes_attend_occurrence_once",
            ),
            # One on-demand run of a class at a time, so a double click starts one, not two.
            models.UniqueConstraint(
                fields=["user", "fitness_class"],
                condition=Q(occurrence__isnull=True, status="started"),
                name="classes_one_open_on_demand_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} class {self.fitness_class_id}"
