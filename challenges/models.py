"""Communities, challenges, participants and their contribution ledger, badges and streaks.

Workouts are referenced by ``workout_id`` only: the ledger must not depend on how workouts are
stored, and a contribution is unique per (participant, workout) so a re-delivered hand-off is a no-op.
Progress is an integer in the goal's base unit (metres, seconds, ...) so increments are exact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommunityVisibility(models.TextChoices):
    PUBLIC = "public", "Public: listed and readable by everyone"
    UNLISTED = "unlisted", "Unlisted: readable by anyone with its id, never listed"
    PRIVATE = "private", "Private: only members know it exists"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Anyone may join"
    APPROVAL = "approval", "An organizer approves each request"
    INVITATION = "invitation", "Only with the invitation link"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ORGANIZER = "organizer", "Organizer"
    MODERATOR = "moderator", "Moderator"
    MEMBER = "member", "Member"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Awaiting approval"
    LEFT = "left", "Left"


class Community(models.Model):
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=8, choices=CommunityVisibility.choices, default=CommunityVisibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    invite_code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        max_length=8, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_once")
        ]
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} as {self.role}"


class OrganizerVerification(models.Model):
    """An administrator vouches for a community organizer: they may grant the instructor role in a
    community they organize whatever its size (see ``wellness.classes.services.instructor_grant``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organizer_verification"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"organizer {self.user_id} verified by {self.verified_by_id}"


class ChallengeMode(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    TEAM = "team", "Team"


class Challenge(models.Model):
    """A goal over a window of local dates: a workout counts if it starts on ``starts_on``..``ends_on``
    in its participant's time zone; ``time_zone`` is the organizer's reference for display and ties."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="challenges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    time_zone = models.CharField(max_length=64, default="UTC")
    sports = models.JSONField(default=list, help_text="Eligible sports; empty means all.")
    mode = models.CharField(
        max_length=10, choices=ChallengeMode.choices, default=ChallengeMode.INDIVIDUAL
    )
    goal_type = models.CharField(max_length=32)
    goal_params = models.JSONField(default=dict)
    target = models.BigIntegerField(null=True, blank=True, help_text="In the goal's base unit.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class Team(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=80)
    progress = models.BigIntegerField(default=0)
    score = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "name"], name="team_name_once")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ParticipantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left (history kept)"
    REMOVED = "removed", "Removed by an organizer"


class Participant(models.Model):
    """``score`` is the leaderboard key (see ``challenges.leaderboards``), kept beside ``progress``
    in the same atomic UPDATE so the database can rebuild Redis exactly."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    age_group = models.CharField(max_length=8, blank=True, help_text="Only when opted in.")
    status = models.CharField(
        max_length=8, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE
    )
    progress = models.BigIntegerField(default=0)
    score = models.BigIntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="participant_once")
        ]
        indexes = [models.Index(fields=["challenge", "status", "-score"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.challenge_id}"


class ContributionStatus(models.TextChoices):
    COUNTED = "counted", "Counted"
    PENDING = "pending", "Flagged: awaiting an organizer"
    REJECTED = "rejected", "Rejected by an organizer"


class Contribution(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="contributions"
    )
    workout_id = models.BigIntegerField(db_index=True)
    amount = models.BigIntegerField()
    local_date = models.DateField()
    ended_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=ContributionStatus.choices)
    flags = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    # The organizer who accepted or rejected a flagged workout, in this challenge only.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "workout_id"], name="contribution_once_per_workout"
            )
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"workout {self.workout_id} for participant {self.participant_id}: {self.status}"


class AppliedWorkout(models.Model):
    """Ledger of hand-offs already applied to personal stats, streaks and badges (idempotency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workout_id = models.BigIntegerField(unique=True)
    applied_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"workout {self.workout_id} of {self.user_id}"


class ActivityTotals(models.Model):
    """Running totals the badge registry reads; changed only with F() increments."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_totals"
    )
    workouts = models.PositiveIntegerField(default=0)
    distance_m = models.FloatField(default=0)
    zone3_minutes = models.FloatField(default=0)
    mindful_minutes = models.FloatField(default=0)
    challenges_completed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"totals of {self.user_id}"


class StreakKind(models.TextChoices):
    DAILY = "daily", "Active days in a row"
    WEEKLY = "weekly", "Active weeks in a row"
    YOGA_DAILY = "yoga_daily", "Yoga or mindfulness days in a row"


class Streak(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=StreakKind.choices)
    current = models.PositiveIntegerField(default=0)
    longest = models.PositiveIntegerField(default=0)
    last_period = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="streak_once")]

    def __str__(self) -> str:
        return f"{self.kind} streak of {self.user_id}: {self.current}"


class BadgeAward(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    badge = models.CharField(max_length=32)
    tier = models.PositiveSmallIntegerField()
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "badge", "tier"], name="badge_tier_once")
        ]
        ordering = ["-awarded_at", "id"]

    def __str__(self) -> str:
        return f"{self.badge} tier {self.tier} for {self.user_id}"
