"""The person: account, profile and physiology, consent records and access tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account, identified by email address; everything personal lives on :class:`Profile`."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.email


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class Units(models.TextChoices):
    METRIC = "metric", "Metric"
    IMPERIAL = "imperial", "Imperial"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: shown by display name"
    PRIVATE = "private", "Private: shown only under my pseudonym"


class Profile(models.Model):
    """Who the person is to others (display name) and to the formulas (physiology).

    The physiology fields are health data: they are accepted only while consent is recorded.
    ``sex`` is optional and used only by formulas that have sex-specific coefficients.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=60)
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(400)],
    )
    resting_heart_rate = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(25), MaxValueValidator(120)]
    )
    max_heart_rate = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(100), MaxValueValidator(230)]
    )
    lactate_threshold_heart_rate = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(80), MaxValueValidator(225)]
    )
    units = models.CharField(max_length=8, choices=Units.choices, default=Units.METRIC)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    pseudonym = models.CharField(
        max_length=40,
        blank=True,
        help_text="The only name others see while the profile is private.",
    )
    show_in_live_worlds = models.BooleanField(
        default=True, help_text="Whether spectators see my avatar (under my public name) at all."
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    HEALTH_FIELDS: ClassVar[tuple[str, ...]] = (
        "weight_kg",
        "resting_heart_rate",
        "max_heart_rate",
        "lactate_threshold_heart_rate",
    )

    def __str__(self) -> str:
        return self.display_name


class ConsentPurpose(models.TextChoices):
    HEALTH_DATA = "health_data", "Processing of health data (GDPR Art. 9(2)(a))"


class ConsentRecord(models.Model):
    """An append-only log of consent given and withdrawn; the newest record per purpose is in force.

    Kept as history rather than a flag because the controller must be able to show when and to
    which policy text a person consented (GDPR Art. 7(1)).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_records")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    policy_version = models.CharField(max_length=32)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-recorded_at", "-id"])]
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"{self.user_id} {verb} {self.purpose} at {self.recorded_at:%Y-%m-%d %H:%M}"


class TokenScope(models.TextChoices):
    API = "api", "Full API access"
    INGEST = "ingest", "Stream and sync samples only (a bridge or phone)"


class AccessToken(models.Model):
    """A named bearer token. Only a SHA-256 digest is stored; the secret is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=8, choices=TokenScope.choices)
    prefix = models.CharField(
        max_length=16, help_text="Public start of the token, to recognise it."
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Workouts and their samples -------------------------------------------------------------------
class Sport(models.TextChoices):
    RUN = "run", "Run"
    RIDE = "ride", "Ride"
    WALK = "walk", "Walk"
    YOGA = "yoga", "Yoga"
    OTHER = "other", "Other"


class WorkoutSource(models.TextChoices):
    BRIDGE = "bridge", "Live (bridge or phone)"
    COMPANION = "companion", "Phone companion sync"
    FILE = "file", "Activity file"
    CLASS = "class", "Class (live or on demand)"


class WorkoutStatus(models.TextChoices):
    ACTIVE = "active", "Recording"
    FINISHED = "finished", "Finished"


class Workout(models.Model):
    """One activity of one person; its time series lives in :class:`SampleBatch` rows.

    ``client_id`` is chosen by the recording device so a reconnecting bridge or phone resumes the
    same workout instead of starting a second one.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="workouts")
    sport = models.CharField(max_length=8, choices=Sport.choices)
    indoor = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=WorkoutSource.choices)
    status = models.CharField(
        max_length=8, choices=WorkoutStatus.choices, default=WorkoutStatus.ACTIVE
    )
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The merged series, saved when the workout finishes so scoring loads one blob instead of
    # thousands of one-sample live batches. Valid while the workout still has exactly
    # ``series_batches`` batches (batches are never changed, only added or deleted with it).
    # Encoded by ``wellness.workouts.samples.columns_to_bytes`` (lossless; the older raw float64 form of
    # series saved before it is still read).
    series_batches = models.PositiveIntegerField(null=True, blank=True)
    series_data = models.BinaryField(null=True, blank=True)
    series_rr = models.BinaryField(null=True, blank=True)
    # The device timer's [stopped, restarted] pairs (UNIX seconds) for a file with timer events
    # ([] if it ran throughout); null when the recording says nothing (live, GPX): scoring then
    # applies its gap rule. ``laps``: start times of the laps after the first.
    pauses = models.JSONField(null=True, blank=True)
    laps = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "-started_at", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_id"],
                condition=~models.Q(client_id=""),
                name="workout_unique_client_id_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sport} of {self.user_id} at {self.started_at:%Y-%m-%d %H:%M}"


class SampleBatch(models.Model):
    """One received batch of samples, stored packed rather than as a row per sample.

    ``data`` holds ``count`` records of :data:`wellness.workouts.samples.COLUMNS` as little-endian float64
    (row-major, NaN where not measured) and ``rr`` holds ``rr_count`` (t, rr_ms) float64 pairs, so
    a whole workout loads with one aggregate query and one ``numpy.frombuffer``. The unique
    constraint makes a batch sent twice, or by two racing requests, stored once.
    """

    workout = models.ForeignKey(Workout, on_delete=models.CASCADE, related_name="batches")
    device = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    rr_count = models.PositiveIntegerField(default=0)
    t_first = models.FloatField()
    t_last = models.FloatField()
    data = models.BinaryField()
    rr = models.BinaryField(default=b"")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workout", "device", "seq"], name="sample_batch_once_per_device_seq"
            )
        ]

    def __str__(self) -> str:
        return f"workout {self.workout_id} {self.device}#{self.seq} ({self.count} samples)"


class IdempotencyKey(models.Model):
    """A client-chosen request id of the companion sync API, with the response it got.

    The unique constraint, not a check-then-insert, makes two racing identical uploads store once:
    the second insert waits for the first transaction and then finds its key.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=128)
    payload_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# --- Scores and progress --------------------------------------------------------------------------
class ScoreStatus(models.TextChoices):
    SCORED = "scored", "Scored"
    UNSCORABLE = "unscorable", "Could not be scored"


class StoredScore(models.Model):
    """The score of one workout: every metric with its explanation, its flags and its points.

    One row per workout (the primary key is the workout), replaced on a re-score; ``points`` is
    what the workout currently contributes to the person's :class:`Progress`.
    """

    workout = models.OneToOneField(
        Workout, on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    status = models.CharField(max_length=10, choices=ScoreStatus.choices)
    metrics = models.JSONField(default=dict)  # WorkoutScore.as_dict() without the explanations
    flags = models.JSONField(default=list)  # [{"code", "reason"}]
    points = models.PositiveIntegerField(default=0)
    training_load = models.FloatField(default=0.0)
    counts_for_leaderboards = models.BooleanField(default=False)
    reason = models.TextField(blank=True)  # why an unscorable workout could not be scored
    reason_code = models.CharField(max_length=32, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"score of workout {self.workout_id}: {self.status}, {self.points} points"


class BestEffortKind(models.TextChoices):
    TIME = "time", "fastest time over a distance"
    POWER = "power", "highest average power over a duration"


class BestEffort(models.Model):
    """One workout's best effort over a standard distance (seconds) or duration (watts).

    Written at scoring for scored workouts that count (or an organizer accepted), replaced on a
    re-score, deleted with the workout; a person's records are the best of these per sport and
    name (``wellness.selectors.personal_records``).
    """

    workout = models.ForeignKey(Workout, on_delete=models.CASCADE, related_name="best_efforts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="best_efforts")
    sport = models.CharField(max_length=8, choices=Sport.choices)
    kind = models.CharField(max_length=8, choices=BestEffortKind.choices)
    name = models.CharField(max_length=24)  # "5 km", "20 min": wellness.scoring.best_efforts
    value = models.FloatField()  # seconds for a time, watts for a power
    achieved_at = models.DateTimeField()  # the workout's start

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workout", "kind", "name"], name="best_effort_once_per_workout"
            )
        ]
        indexes = [models.Index(fields=["user", "sport", "kind", "name", "value"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} = {self.value:g} in workout {self.workout_id}"


class Progress(models.Model):
    """A person's lifetime XP: the sum of the points of their scored workouts."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    xp = models.PositiveIntegerField(default=0)
    level = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.user_id}: level {self.level} ({self.xp} XP)"


class ScoringPending(models.Model):
    """A finished workout waiting to be scored; drained in chunks by the scoring task."""

    workout = models.OneToOneField(
        Workout, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"workout {self.workout_id} waiting to be scored"
