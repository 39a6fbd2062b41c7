"""Writes for accounts, profiles, consent and tokens. Keyword-only, typed, and transport-free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wellness.core import privacy
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
from wellness.people.erasure import health_data_erase
from wellness.people.models import (
    ACCESS_LOG_PURGE_SETTING,
    AccessLogEntry,
    AccessorRole,
    AccessToken,
    ConsentPurpose,
    ConsentRecord,
    Profile,
    TokenScope,
    User,
    Visibility,
)
from wellness.people.selectors import (
    anonymous_name,
    consent_current,
    health_consent_active,
    public_name,
)
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
        for handler in privacy.consent_withdrawal_handlers().values():
            handler(user.pk)
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
    """Delete the account, confirmed by the person's password (see :func:`account_remove`)."""
    if not user.check_password(password or ""):
        raise ValidationFailed(
            "Confirm with your current password to delete your account.",
            fields={"password": ["The password is not correct."]},
        )
    account_remove(user=user)


def account_remove(*, user: User) -> None:
    """Delete the account and everything it owns, its access log included.

    Health data is erased first app by app (what cascades cannot reach: a community journey's
    share), then each app releases what the person holds in shared things, then cascades delete.
    """
    token_ids = list(user.access_tokens.values_list("pk", flat=True))
    with transaction.atomic():
        if token_ids:
            broadcast_on_commit(REVOCATIONS_GROUP, revocation_message(token_ids))
        health_data_erase(user_id=user.pk)
        for releaser in privacy.account_releasers().values():
            releaser(user.pk)
        _access_log_purge_allow()
        person_sockets_close(user_id=user.pk, reason="account_deleted")
        user.delete()


def _access_log_purge_allow() -> None:
    """Let this transaction delete access-log rows, which the PostgreSQL trigger otherwise refuses."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [ACCESS_LOG_PURGE_SETTING])


# One round trip: every entry of a read, the reader's public name (the rule of ``public_name``,
# which the tests hold the two to) and the commit mode of this statement's own transaction.
_ACCESS_LOG_INSERT_SQL = f"""
INSERT INTO {AccessLogEntry._meta.db_table}
    (subject_id, accessor_id, accessor_name, accessor_role, what, why, at)
SELECT t.subject_id, %(accessor_id)s,
       left(COALESCE(%(accessor_name)s::text, reader.name, 'Account ' || %(accessor_id)s), 80),
       %(role)s, t.what, %(why)s, %(at)s
FROM unnest(%(subjects)s::bigint[], %(whats)s::text[]) AS t(subject_id, what)
LEFT JOIN (
    SELECT CASE WHEN p.visibility = %(private)s
                THEN COALESCE(NULLIF(p.pseudonym, ''), %(anonymous)s)
                ELSE p.display_name END AS name
    FROM {Profile._meta.db_table} p WHERE p.user_id = %(accessor_id)s
) AS reader ON true
CROSS JOIN (
    SELECT set_config(
        'synchronous_commit', COALESCE(%(commit)s, current_setting('synchronous_commit')), true
    )
) AS commit_mode
"""


def health_data_access_record(
    *,
    accessor: User,
    role: AccessorRole,
    why: str,
    reads: Mapping[int, str],
    accessor_name: str | None = None,
) -> int:
    """Record that ``accessor`` read health data: ``reads`` maps each person's id to what was read.

    The one path every read of someone else's health data takes. Reads of one's own data are not
    recorded. Returns how many entries were written. The reader is named by their public name, or
    by ``accessor_name`` when they read in a professional role (a clinician's "Dr. Okafor").
    """
    subjects = {int(pk): what for pk, what in reads.items() if int(pk) != accessor.pk}
    if not subjects:
        return 0
    now = timezone.now()
    ordered = sorted(subjects.items())
    if connection.vendor == "postgresql":
        # Outside a transaction of the caller's, the entry's own commit need not wait for the WAL
        # flush (README: WELLVERSE_AUDIT_SYNCHRONOUS_COMMIT); inside one, the caller's commit rules.
        asynchronous = (
            not connection.in_atomic_block and not settings.WELLVERSE_AUDIT_SYNCHRONOUS_COMMIT
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _ACCESS_LOG_INSERT_SQL,
                {
                    "accessor_id": accessor.pk,
                    "accessor_name": accessor_name or None,
                    "anonymous": anonymous_name(user_id=accessor.pk),
                    "private": Visibility.PRIVATE.value,
                    "role": role,
                    "why": why[:200],
                    "at": now,
                    "subjects": [pk for pk, _ in ordered],
                    "whats": [what[:200] for _, what in ordered],
                    "commit": "off" if asynchronous else None,
                },
            )
    else:
        profile = Profile.objects.filter(user_id=accessor.pk).first()
        name = accessor_name or (
            public_name(profile) if profile is not None else f"Account {accessor.pk}"
        )
        AccessLogEntry.objects.bulk_create(
            AccessLogEntry(
                subject_id=pk,
                accessor_id=accessor.pk,
                accessor_name=name[:80],
                accessor_role=role,
                what=what[:200],
                why=why[:200],
                at=now,
            )
            for pk, what in ordered
        )
    return len(subjects)
