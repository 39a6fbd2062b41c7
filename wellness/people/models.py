"""The person: account, profile and physiology, consent records and access tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_otp.models import Device


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


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """An account, identified by email address; everything personal lives on :class:`Profile`."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Signed up but the address not confirmed yet (inactive until then); an account an admin
    # deactivated is inactive without it.
    awaiting_confirmation = models.BooleanField(default=False)

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


class AccessorRole(models.TextChoices):
    ORGANIZER = "organizer", "Challenge organizer"
    INSTRUCTOR = "instructor", "Class instructor"
    ADMIN = "admin", "Administrator"
    CLINICIAN = "clinician", "Clinician"


class AccessLogEntry(models.Model):
    """One read of a person's health data by someone else: who, whose, what, when and why.

    Append-only: the app only inserts, and on PostgreSQL a trigger refuses UPDATE and DELETE (a
    DELETE passes only inside account deletion, see ``ACCESS_LOG_PURGE_SETTING``). The reader is
    kept by id and name, not a foreign key, so deleting the reader's account changes no row.
    """

    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    accessor_id = models.BigIntegerField()
    accessor_name = models.CharField(max_length=80)
    accessor_role = models.CharField(max_length=16, choices=AccessorRole.choices)
    what = models.CharField(max_length=200)
    why = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["subject", "-at", "-id"], name="wellness_access_log_subj")]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.accessor_name} read {self.what} of {self.subject_id} at {self.at:%Y-%m-%d %H:%M}"


# The transaction-local PostgreSQL setting under which the trigger lets access-log rows be deleted.
ACCESS_LOG_PURGE_SETTING = "wellness.access_log_purge"


class AccountLockout(models.Model):
    """One lock of an account by wrong passwords; the recent ones double the next lock's length.

    Kept by the address the attempts named (known account or not, so the answer reveals nothing).
    """

    email = models.CharField(max_length=254)
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["email", "-locked_at"], name="wellness_lockout_email")]

    def __str__(self) -> str:
        return f"{self.email} locked at {self.locked_at:%Y-%m-%d %H:%M}"


class Passkey(Device):  # type: ignore[misc]  # django-otp ships no type information
    """A WebAuthn credential used as a second factor: a django-otp device, so that having one
    turns two-factor authentication on and signing in with one marks the session verified.

    Only the public key is stored; the private key never leaves the person's authenticator.
    """

    pk: int
    credential_id: models.CharField[str, str] = models.CharField(
        max_length=1400, unique=True, help_text="base64url"
    )
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField(
        help_text="COSE-encoded public key"
    )
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(default=timezone.now)
    last_used_at: models.DateTimeField[Any, Any] = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):  # type: ignore[misc]
        ordering = ["created_at", "id"]
