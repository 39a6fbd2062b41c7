"""Workouts, their sample batches and the idempotency keys of synced uploads."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wellness.people.models import User
from wellness.workouts.sports import SPORT_LABELS


class Sport(models.TextChoices):
    # Members spelled out for type checkers; a test holds them equal to ``sports.SPORT_LABELS``.
    RUN = "run", SPORT_LABELS["run"]
    RIDE = "ride", SPORT_LABELS["ride"]
    WALK = "walk", SPORT_LABELS["walk"]
    YOGA = "yoga", SPORT_LABELS["yoga"]
    OTHER = "other", SPORT_LABELS["other"]
    REHAB = "rehab", SPORT_LABELS["rehab"]


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
