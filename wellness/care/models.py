"""Care organisations and their administrators, clinician profiles, the care relationships between a
person and a clinician, and the sharing grants by which the person (the patient) lets a clinician see
one category of their health data for a while."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from wellness.care.rehabilitation import catalogue


class OrganisationKind(models.TextChoices):
    CLINIC = "clinic", "Clinic"
    PRACTICE = "practice", "Practice"
    REHABILITATION_CENTRE = "rehabilitation_centre", "Rehabilitation centre"
    OTHER = "other", "Other"


class CareOrganisation(models.Model):
    """A clinic, practice or rehabilitation centre; its administrators verify its clinicians."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class OrganisationAdministrator(models.Model):
    organisation = models.ForeignKey(
        CareOrganisation, on_delete=models.CASCADE, related_name="administrators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_administrations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="care_admin_once"),
        ]

    def __str__(self) -> str:
        return f"administrator {self.user_id} of {self.organisation_id}"


class Profession(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    DIETITIAN = "dietitian", "Dietitian"
    OTHER = "other", "Other health professional"


class ClinicianProfile(models.Model):
    """A person's professional profile. It lets them act as a clinician only once verified, by a
    staff member or an administrator of its organisation; the person keeps their own private data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician"
    )
    profession = models.CharField(max_length=32, choices=Profession.choices)
    registration_number = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        CareOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clinicians",
    )
    # How patients see them ("Dr. Okafor"), in appointments and in their access log.
    professional_name = models.CharField(max_length=80)
    # A person adds the clinician to their care team with this code.
    invite_code = models.CharField(max_length=16, unique=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.professional_name


class RelationshipStatus(models.TextChoices):
    # The person asked a clinician (by email) to join their care team; the clinician has not accepted.
    AWAITING_CLINICIAN = "awaiting_clinician", "Awaiting the clinician"
    # An organisation's clinician invited the person; the person has not accepted.
    AWAITING_PATIENT = "awaiting_patient", "Awaiting the patient"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class CareRelationship(models.Model):
    """A person (the patient) and one clinician of their care team."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_relationships"
    )
    clinician = models.ForeignKey(
        ClinicianProfile, on_delete=models.CASCADE, related_name="relationships"
    )
    status = models.CharField(max_length=24, choices=RelationshipStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=~Q(status="ended"),
                name="care_relationship_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"care of {self.patient_id} by {self.clinician_id} ({self.status})"


class GrantCategory(models.TextChoices):
    WORKOUTS = "workouts", "Workouts and scores"
    SAMPLES = "samples", "Heart rate and other samples"
    HRV = "hrv", "Heart-rate variability"
    CLASS_METRICS = "class_metrics", "Class metrics"
    REHABILITATION = "rehabilitation", "Rehabilitation sessions"
    PHYSIOLOGY = "physiology", "Profile physiology"


class SharingGrant(models.Model):
    """The patient lets the relationship's clinician see one category from ``starts_at`` until
    ``expires_at`` (or until revoked). A grant is live only between the two and while not revoked."""

    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.CASCADE, related_name="grants"
    )
    category = models.CharField(max_length=24, choices=GrantCategory.choices)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["relationship", "category", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("starts_at")), name="care_grant_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} for relationship {self.relationship_id}"


class ConsultationNote(models.Model):
    """A clinician's note on a patient, written after a consultation. Its content lives in
    append-only versions: an amendment is a new version, and the older ones are kept and shown as
    amended."""

    # Both are cleared, never cascaded, when a note the organisation must keep outlives the
    # patient's or the author's account (``retained_until``); the app shows such a note to no one.
    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.SET_NULL, null=True, related_name="notes"
    )
    author = models.ForeignKey(
        ClinicianProfile, on_delete=models.SET_NULL, null=True, related_name="notes_written"
    )
    # Who wrote it, for whom, and for which organisation, as they were when it was written or
    # detached: what the organisation's record keeps once the accounts are gone.
    author_name = models.CharField(max_length=120, blank=True)
    organisation = models.ForeignKey(
        CareOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    patient_name = models.CharField(max_length=200, blank=True)
    # Set when an erasure or account deletion kept the note for the organisation: it is deleted then.
    retained_until = models.DateTimeField(null=True, blank=True)
    # The consultation it follows, when written after one (the note outlives a deleted appointment).
    appointment = models.ForeignKey(
        "Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["relationship", "-created_at"])]
        constraints = [
            # A note belongs to a care relationship, unless an organisation keeps it for a time.
            models.CheckConstraint(
                condition=models.Q(relationship__isnull=False)
                | models.Q(retained_until__isnull=False),
                name="care_note_in_care_or_retained",
            ),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on relationship {self.relationship_id}"


class ConsultationNoteVersion(models.Model):
    """One version of a note: reason, findings, plan and follow-up, encrypted at rest (keys from
    WELLVERSE_FIELD_ENCRYPTION_KEYS). Never updated or deleted by the app; on PostgreSQL a trigger
    refuses UPDATE and DELETE except inside erasure or re-encryption (``NOTES_PURGE_SETTING``).
    An empty part is stored as NULL (the encrypted fields store nothing for an empty string)."""

    note = models.ForeignKey(ConsultationNote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    reason = EncryptedTextField(null=True, blank=True)
    findings = EncryptedTextField(null=True, blank=True)
    plan = EncryptedTextField(null=True, blank=True)
    follow_up = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="care_note_version_once"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of note {self.note_id}"


# The transaction-local PostgreSQL setting under which the trigger lets note versions be deleted
# (erasure, account deletion) or rewritten (re-encryption under a new key).
NOTES_PURGE_SETTING = "wellness.care_notes_purge"


class AvailabilityRule(models.Model):
    """When a clinician can be booked: a window that opens at ``first_start_local`` (wall-clock time
    in ``time_zone``) and repeats by ``rrule``, cut into slots with a buffer between them (the pure
    ``wellness.care.appointments.slots`` computes them)."""

    clinician = models.ForeignKey(
        ClinicianProfile, on_delete=models.CASCADE, related_name="availability_rules"
    )
    # The first window's opening: the local wall-clock time given, placed in ``time_zone``.
    first_start_local = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    rrule = models.CharField(max_length=200, blank=True)
    window_minutes = models.PositiveIntegerField()
    slot_minutes = models.PositiveIntegerField()
    buffer_minutes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"availability {self.rrule or 'once'} of {self.clinician_id}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    ENDED = "ended", "Ended"


class Appointment(models.Model):
    """A consultation a patient booked with a clinician; its room is open to the participants from
    shortly before ``starts_at`` until ``ends_at`` (or until ended or cancelled)."""

    clinician = models.ForeignKey(
        ClinicianProfile, on_delete=models.CASCADE, related_name="appointments"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reminded_day_before_at = models.DateTimeField(null=True, blank=True)
    reminded_soon_at = models.DateTimeField(null=True, blank=True)
    # The clinician let the patient (or the guest) in from the waiting room.
    patient_admitted_at = models.DateTimeField(null=True, blank=True)
    guest_admitted_at = models.DateTimeField(null=True, blank=True)
    # A third participant (a caregiver, an interpreter) who redeemed the invitation code.
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_appointments_as_guest",
    )
    guest_code_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinician", "starts_at"])]
        constraints = [
            # Two booked appointments of a clinician never start together; overlaps beyond that
            # are refused under the clinician's row lock (services.appointment_book).
            models.UniqueConstraint(
                fields=["clinician", "starts_at"],
                condition=Q(status="booked"),
                name="care_appointment_one_per_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="care_appointment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} with {self.clinician_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A clinician's private calendar feed: the URL carries a secret whose digest is stored here.
    Regenerating replaces it (the old URL stops working); revoking deletes it."""

    clinician = models.OneToOneField(
        ClinicianProfile, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.clinician_id}"


# --- Rehabilitation (issue 22): the exercise library, programs and sessions ----------------------
# Members spelled out for type checkers; a test holds them equal to the pure catalogue's.
class BodyRegion(models.TextChoices):
    LOWER_BODY = "lower_body", catalogue.BODY_REGIONS["lower_body"]
    UPPER_BODY = "upper_body", catalogue.BODY_REGIONS["upper_body"]
    TRUNK = "trunk", catalogue.BODY_REGIONS["trunk"]
    BALANCE = "balance", catalogue.BODY_REGIONS["balance"]
    CARDIO = "cardio", catalogue.BODY_REGIONS["cardio"]
    BREATHING = "breathing", catalogue.BODY_REGIONS["breathing"]


class Equipment(models.TextChoices):
    NONE = "none", catalogue.EQUIPMENT["none"]
    CHAIR = "chair", catalogue.EQUIPMENT["chair"]
    WALL = "wall", catalogue.EQUIPMENT["wall"]
    STEP = "step", catalogue.EQUIPMENT["step"]
    BAND = "band", catalogue.EQUIPMENT["band"]
    WEIGHTS = "weights", catalogue.EQUIPMENT["weights"]
    BALL = "ball", catalogue.EQUIPMENT["ball"]
    STATIONARY_BIKE = "stationary_bike", catalogue.EQUIPMENT["stationary_bike"]


class Exercise(models.Model):
    """One exercise of the library: shipped with Wellverse (no organisation) or added by a therapist
    for their organisation, where only that organisation's clinicians see it."""

    organisation = models.ForeignKey(
        CareOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercises",
    )
    created_by = models.ForeignKey(
        ClinicianProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    instructions = models.TextField()
    body_region = models.CharField(max_length=16, choices=BodyRegion.choices)
    equipment = models.CharField(max_length=16, choices=Equipment.choices)
    # The position variants it has: either or both.
    seated = models.BooleanField(default=False)
    standing = models.BooleanField(default=False)
    precautions = models.TextField(blank=True)
    # A static file path (``care/rehabilitation/exercises/<slug>.svg``); empty for custom ones.
    illustration = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="care_exercise_shipped_slug_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="care_exercise_slug_once_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(seated=True) | Q(standing=True), name="care_exercise_has_a_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class RehabProgram(models.Model):
    """A program a therapist prescribed to a patient. Its content lives in immutable versions: a
    change is a new version, and each session keeps the version it was done under."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rehab_programs"
    )
    therapist = models.ForeignKey(
        ClinicianProfile, on_delete=models.SET_NULL, null=True, related_name="programs_prescribed"
    )
    title = models.CharField(max_length=120)
    status = models.CharField(
        max_length=8, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE
    )
    # The phase the patient is in (an index into the current version's phases) and since when;
    # the progression rule advances it.
    current_phase = models.PositiveIntegerField(default=0)
    phase_started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} for {self.patient_id}"


class RehabProgramVersion(models.Model):
    """One version of a program, never changed once written: the plan (phases, sessions, exercise
    targets), the safety limits and the progression rule, as JSON read by the pure
    ``wellness.care.rehabilitation.plan``."""

    program = models.ForeignKey(RehabProgram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    plan = models.JSONField()
    limits = models.JSONField()
    progression = models.JSONField()
    change_note = models.CharField(max_length=300, blank=True)
    # The exercises the plan names, so a patient sees their program's custom exercises.
    exercises = models.ManyToManyField(Exercise, related_name="prescribed_in")
    created_by = models.ForeignKey(
        ClinicianProfile, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="care_program_version_once"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of program {self.program_id}"


class RehabSessionStatus(models.TextChoices):
    ACTIVE = "active", "Under way"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped by a safety rule"


class RehabSession(models.Model):
    """One home session of a program, done under one version (kept when the program changes),
    with its workout (heart rate, scoring; none without health-data consent) and its summary."""

    program = models.ForeignKey(RehabProgram, on_delete=models.CASCADE, related_name="sessions")
    # RESTRICT: a version with sessions is never deleted alone (only with its program).
    version = models.ForeignKey(
        RehabProgramVersion, on_delete=models.RESTRICT, related_name="sessions"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rehab_sessions"
    )
    # Indexes into the version's plan: the phase, and the session template of that phase.
    phase = models.PositiveIntegerField()
    template = models.PositiveIntegerField()
    workout = models.ForeignKey(
        "wellness.Workout",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rehab_sessions",
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RehabSessionStatus.choices, default=RehabSessionStatus.ACTIVE
    )
    stop_reason = models.CharField(max_length=300, blank=True)
    # The heart-rate ceiling when the session started (null: the rule lacked a value).
    ceiling_bpm = models.PositiveIntegerField(null=True, blank=True)
    # The summary, written when the session ends.
    adherence = models.FloatField(null=True, blank=True)  # share of the planned work done, 0-1
    time_above_ceiling_s = models.FloatField(null=True, blank=True)
    peak_over_ceiling_bpm = models.FloatField(null=True, blank=True)
    ceiling_crossings = models.PositiveIntegerField(null=True, blank=True)
    peak_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    peak_rpe = models.PositiveSmallIntegerField(null=True, blank=True)
    # This session completed the progression rule and moved the program to its next phase.
    advanced_phase = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["program", "started_at"]),
            models.Index(fields=["patient", "-started_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["program"], condition=Q(status="active"), name="care_rehab_one_session_open"
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of program {self.program_id} ({self.status})"


class RehabExerciseLog(models.Model):
    """What the person reports after one exercise of a session: sets and reps done, pain and RPE
    (Borg CR10), both 0-10."""

    session = models.ForeignKey(RehabSession, on_delete=models.CASCADE, related_name="logs")
    # Index into the session template's exercises.
    position = models.PositiveIntegerField()
    exercise = models.ForeignKey(
        Exercise, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exercise_name = models.CharField(max_length=120)
    sets_done = models.PositiveSmallIntegerField()
    reps_done = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField()
    rpe = models.PositiveSmallIntegerField()
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="care_rehab_log_once"),
            models.CheckConstraint(condition=Q(pain__lte=10), name="care_rehab_log_pain_0_10"),
            models.CheckConstraint(condition=Q(rpe__lte=10), name="care_rehab_log_rpe_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_name} in session {self.session_id}"
