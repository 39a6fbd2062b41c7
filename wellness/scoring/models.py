"""Stored scores, lifetime progress and the markers of workouts waiting to be scored."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wellness.people.models import User
from wellness.workouts.models import Workout


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
    points = models.PositiveBigIntegerField(default=0)
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


class Progress(models.Model):
    """A person's lifetime XP: the sum of the points of their scored workouts."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    xp = models.PositiveBigIntegerField(default=0)
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
