"""Writes for accounts, profiles, consent and tokens. Keyword-only, typed, and transport-free."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from wellness.core.errors import (
    ConsentRequired,
    NotFound,
    ValidationFailed,
)
from wellness.core.groups import person_sockets_group, session_tag
from wellness.core.revocations import REVOCATIONS_GROUP, revocation_message
from wellness.core.transactions import (
    broadcast_on_commit,
    enqueue_on_commit,
)
from wellness.people.models import (
    AccessToken,
    ConsentPurpose,
    ConsentRecord,
    Profile,
    TokenScope,
    User,
    Visibility,
)
from wellness.people.selectors import consent_current, health_consent_active
from wellness.people.tasks import health_data_erase_task
from wellness.people.tokens import token_generate

CURRENT_HEALTH_POLICY_VERSION = "2026-11"
MINIMUM_AGE_YEARS = 13


def user_sign_up(*, email: str, password: str, display_name: str = "") -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            "Enter a valid email address.", fields={"email": ["Enter a valid email address."]}
        ) from None
    display_name = (display_name or "").strip() or email.split("@", 1)[0]
    candidate = User(email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Choose a stronger password.", fields={"password": list(exc.messages)}
        ) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            Profile.objects.create(user=user, display_name=display_name[:60])
    except IntegrityError:
        raise ValidationFailed(
            "An account with this email address already exists.",
            fields={"email": ["An account with this email address already exists."]},
        ) from None
    return user


def _validate_profile_changes(changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "time_zone" in changes and changes["time_zone"] not in available_timezones():
        errors["time_zone"] = [f"Unknown time zone {changes['time_zone']!r}; use an IANA name."]
    birth_year = changes.get("birth_year")
    if birth_year is not None:
        this_year = timezone.now().year
        if birth_year > this_year - MINIMUM_AGE_YEARS:
            errors["birth_year"] = [f"Wellverse is for people aged {MINIMUM_AGE_YEARS} and over."]
    if (
        changes.get("visibility") == Visibility.PRIVATE
        and not (changes.get("pseudonym") or "").strip()
    ):
        errors["pseudonym"] = [
            "A private profile needs a pseudonym: the only name others will see."
        ]
    rest, peak = changes.get("resting_heart_rate"), changes.get("max_heart_rate")
    if rest is not None and peak is not None and rest >= peak:
        errors["resting_heart_rate"] = ["Resting heart rate must be below maximum heart rate."]
    if errors:
        raise ValidationFailed("Some profile values are not valid.", fields=errors)


def profile_update(*, user: User, changes: dict[str, Any]) -> Profile:
    """Apply validated field values; health values need consent, clearing them never does."""
    sets_health_data = any(
        changes.get(field) is not None for field in Profile.HEALTH_FIELDS if field in changes
    )
    if sets_health_data and not health_consent_active(user=user):
        raise ConsentRequired()
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=user)
        # Heart rates are checked against each other as they will be after the change.
        # Cross-field rules are checked on the profile as it will be after the change.
        _validate_profile_changes(
            {
                "resting_heart_rate": profile.resting_heart_rate,
                "max_heart_rate": profile.max_heart_rate,
                "visibility": profile.visibility,
                "pseudonym": profile.pseudonym,
            }
            | changes
        )
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save()
    return profile


def consent_grant(
    *, user: User, policy_version: str = CURRENT_HEALTH_POLICY_VERSION
) -> ConsentRecord:
    """Record consent to health-data processing. Granting again while granted records nothing new."""
    with transaction.atomic():
        # Serialise grant/withdraw per user so the newest record is always the one in force.
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_current(user=user)
        if current is not None and current.granted and current.policy_version == policy_version:
            return current
        return ConsentRecord.objects.create(
            user=user,
            purpose=ConsentPurpose.HEALTH_DATA,
            granted=True,
            policy_version=policy_version,
        )


SOCKET_CLOSE_REASONS = ("signed_out", "account_deleted", "consent_withdrawn", "role_lost")


def person_sockets_close(*, user_id: int, reason: str, session_key: str | None = None) -> None:
    """Close the person's cookie-authenticated sockets (only those of ``session_key`` if given) in
    every server process, once the transaction commits. Call it wherever a role is taken away."""
    assert reason in SOCKET_CLOSE_REASONS
    broadcast_on_commit(
        person_sockets_group(user_id),
        {"type": "sockets.close", "reason": reason, "session": session_tag(session_key)},
    )


def consent_withdraw(*, user: User, erase_health_data: bool = False) -> ConsentRecord:
    """Stop accepting health data; optionally erase what is stored (in the background)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_current(user=user)
        if current is not None and not current.granted:
            record = current
        else:
            record = ConsentRecord.objects.create(
                user=user,
                purpose=ConsentPurpose.HEALTH_DATA,
                granted=False,
                policy_version=current.policy_version if current else CURRENT_HEALTH_POLICY_VERSION,
            )
        if erase_health_data:
            enqueue_on_commit(health_data_erase_task, user.pk)
        person_sockets_close(user_id=user.pk, reason="consent_withdrawn")
    return record


def access_token_create(
    *, user: User, name: str, scope: str = TokenScope.INGEST
) -> tuple[AccessToken, str]:
    """Create a token and return it with its secret, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the token a name, such as the device it is for."]
    if scope not in TokenScope.values:
        errors["scope"] = [f"Scope must be one of {', '.join(TokenScope.values)}."]
    if errors:
        raise ValidationFailed("The token could not be created.", fields=errors)
    new = token_generate()
    token = AccessToken.objects.create(
        user=user, name=name[:80], scope=scope, prefix=new.prefix, digest=new.digest
    )
    return token, new.raw


def access_token_revoke(*, user: User, token_id: int) -> AccessToken:
    """Revoke a token of this user and close every WebSocket that authenticated with it."""
    with transaction.atomic():
        token = AccessToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        broadcast_on_commit(REVOCATIONS_GROUP, revocation_message([token.pk]))
    return token


def access_token_touch(*, token: AccessToken) -> None:
    """Note that a token was used, at most once a minute so reads do not become writes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def account_delete(*, user: User, password: str) -> None:
    """Delete the account and, through cascades, everything it owns."""
    if not user.check_password(password or ""):
        raise ValidationFailed(
            "Confirm with your current password to delete your account.",
            fields={"password": ["The password is not correct."]},
        )
    token_ids = list(user.access_tokens.values_list("pk", flat=True))
    with transaction.atomic():
        if token_ids:
            broadcast_on_commit(REVOCATIONS_GROUP, revocation_message(token_ids))
        person_sockets_close(user_id=user.pk, reason="account_deleted")
        user.delete()
