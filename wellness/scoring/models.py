"""Stored scores, best efforts, lifetime progress and the markers of workouts waiting to be scored."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wellness.people.models import User
from wellness.workouts.models import Sport, Workout


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
    scored_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"score of workout {self.workout_id}: {self.status}, {self.points} points"


class BestEffortKind(models.TextChoices):
    TIME = "time", "fastest time over a distance"
    POWER = "power", "highest average power over a duration"


class BestEffort(models.Model):
    """One workout's best effort over a standard distance (seconds) or duration (watts).

    Written at scoring for scored workouts that count (no plausibility flag), replaced on a
    re-score, deleted with the workout; a person's records are the best of these per sport and
    name (``wellness.scoring.selectors.personal_records``).
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
