"""Worlds, their routes and landmarks; live avatar sessions and group runs; journeys and postcards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Biome(models.TextChoices):
    LAKE = "lake", "Lake"
    MOUNTAIN = "mountain", "Mountain"
    FOREST = "forest", "Forest"
    COAST = "coast", "Coast"
    DESERT = "desert", "Desert"
    CITY = "city", "City"
    COUNTRYSIDE = "countryside", "Countryside"


class WorldVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private (invited people only)"


class World(models.Model):
    """A landscape with one route. Private worlds are seen only by their owner and invitees."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="worlds_owned",
        help_text="Empty for worlds the installation provides (the demo worlds).",
    )
    name = models.CharField(max_length=80)
    biome = models.CharField(max_length=16, choices=Biome.choices, default=Biome.COUNTRYSIDE)
    scenery = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=8, choices=WorldVisibility.choices, default=WorldVisibility.PUBLIC
    )
    laps = models.PositiveSmallIntegerField(default=1)
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="worlds_invited"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    """The route of a world, stored as compact geometry: ``[lat, lon, distance_m, elevation_m, gradient]``."""

    world = models.OneToOneField(World, on_delete=models.CASCADE, related_name="route")
    name = models.CharField(max_length=120, blank=True)
    distance_m = models.FloatField()
    elevation_gain_m = models.FloatField()
    has_elevation = models.BooleanField()
    notes = models.JSONField(default=list)
    points = models.JSONField()

    def __str__(self) -> str:
        return f"route of world {self.world_id}"


class Landmark(models.Model):
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="landmarks")
    name = models.CharField(max_length=80)
    distance_m = models.FloatField(help_text="Distance along one lap of the route.")
    story = models.TextField(blank=True)

    class Meta:
        ordering = ["distance_m", "id"]

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FINISHED = "finished", "Finished"


class AvatarSession(models.Model):
    """A person's avatar moving through a world, driven by the live samples of one workout.

    ``workout_id`` is the ingest's workout id; kept an integer so worlds do not depend on the
    workout model's migrations (built in parallel).
    """

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="sessions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatar_sessions"
    )
    workout_id = models.PositiveBigIntegerField(db_index=True)
    sport = models.CharField(max_length=8)
    indoor = models.BooleanField(default=False)
    group_run = models.ForeignKey(
        "GroupRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    status = models.CharField(
        max_length=8, choices=SessionStatus.choices, default=SessionStatus.ACTIVE
    )
    distance_m = models.FloatField(default=0.0, help_text="Along the whole course, all laps.")
    speed_mps = models.FloatField(default=0.0)
    gradient = models.FloatField(default=0.0)
    last_t = models.FloatField(null=True, blank=True, help_text="Time of the last sample applied.")
    started_t = models.FloatField(null=True, blank=True, help_text="Time of the first sample.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_time_s = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workout_id"],
                condition=Q(status="active"),
                name="one_active_session_per_workout",
            )
        ]

    def __str__(self) -> str:
        return f"session {self.pk} in world {self.world_id}"


class SessionEvent(models.Model):
    """Something that happened to an avatar: a landmark passed, a lap or the route finished, ..."""

    session = models.ForeignKey(AvatarSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    t = models.FloatField()
    distance_m = models.FloatField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["t", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.distance_m:.0f} m"


class GroupRun(models.Model):
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="group_runs")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_runs_organized"
    )
    title = models.CharField(max_length=80)
    starts_at = models.DateTimeField()
    pen = models.CharField(max_length=40, blank=True, help_text="Start pen, e.g. 'A: 5:00/km'.")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="group_runs_joined"
    )

    def __str__(self) -> str:
        return self.title


class Journey(models.Model):
    """A long virtual route in stages (each stage a world's route) that scored workouts advance."""

    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class JourneyStage(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField()
    world = models.ForeignKey(World, on_delete=models.PROTECT, related_name="journey_stages")

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "order"], name="one_stage_per_order")
        ]

    def __str__(self) -> str:
        return f"stage {self.order} of journey {self.journey_id}"


class JourneyProgress(models.Model):
    """How far a person, or a community travelling together, has come on a journey.

    Exactly one of ``user`` and ``community_id`` is set. ``community_id`` names a challenges
    community; an integer until that app's models land on main.
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="progress")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="journey_progress",
    )
    community_id = models.PositiveBigIntegerField(null=True, blank=True)
    travels_with_community_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="On a person's progress: the community they also advance."
    )
    distance_m = models.FloatField(default=0.0)
    joined_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, community_id__isnull=True)
                | Q(user__isnull=True, community_id__isnull=False),
                name="progress_of_a_user_or_a_community",
            ),
            models.UniqueConstraint(
                fields=["journey", "user"],
                condition=Q(user__isnull=False),
                name="one_progress_per_user",
            ),
            models.UniqueConstraint(
                fields=["journey", "community_id"],
                condition=Q(community_id__isnull=False),
                name="one_progress_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"progress {self.pk} on journey {self.journey_id}"


class JourneyAdvance(models.Model):
    """Ledger of which workout advanced which progress: makes ``journeys_advance_many`` idempotent."""

    progress = models.ForeignKey(JourneyProgress, on_delete=models.CASCADE, related_name="advances")
    workout_id = models.PositiveBigIntegerField()
    distance_m = models.FloatField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "workout_id"], name="one_advance_per_workout"
            )
        ]

    def __str__(self) -> str:
        return f"workout {self.workout_id} on progress {self.progress_id}"


class Postcard(models.Model):
    """A landmark reached on a journey: its story and the elevation profile travelled so far."""

    progress = models.ForeignKey(
        JourneyProgress, on_delete=models.CASCADE, related_name="postcards"
    )
    landmark = models.ForeignKey(Landmark, on_delete=models.CASCADE, related_name="postcards")
    journey_distance_m = models.FloatField()
    elevation_profile = models.JSONField()
    unlocked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["journey_distance_m", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "landmark"], name="one_postcard_per_landmark"
            )
        ]

    def __str__(self) -> str:
        return f"postcard {self.pk}"
