"""Writes for accounts, profiles, consent and tokens. Keyword-only, typed, and transport-free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wellness.core import privacy
from wellness.core.errors import (
    ConsentRequired,
    DomainError,
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


def _sign_up_checked(*, email: str, password: str) -> str:
    """The normalised address, once it and the password pass validation."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            "Enter a valid email address.", fields={"email": ["Enter a valid email address."]}
        ) from None
    candidate = User(email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Choose a stronger password.", fields={"password": list(exc.messages)}
        ) from None
    return email


def user_sign_up(
    *, email: str, password: str, display_name: str = "", confirmed: bool = True
) -> User:
    """Create an account (the demo seeding, benchmarks, and :func:`sign_up_request`, which
    creates it unconfirmed: inactive until its address is confirmed)."""
    email = _sign_up_checked(email=email, password=password)
    display_name = (display_name or "").strip() or email.split("@", 1)[0]
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                is_active=confirmed,
                awaiting_confirmation=not confirmed,
            )
            Profile.objects.create(user=user, display_name=display_name[:60])
    except IntegrityError:
        raise ValidationFailed(
            "An account with this email address already exists.",
            fields={"email": ["An account with this email address already exists."]},
        ) from None
    return user


class _SignUpTokens(PasswordResetTokenGenerator):
    """Links that confirm an address: valid until used (activation changes the hash) or
    ``PASSWORD_RESET_TIMEOUT`` passes."""

    key_salt = "wellness.people.sign-up-confirmation"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        assert isinstance(user, User)
        return f"{user.pk}{user.password}{timestamp}{user.is_active}{user.awaiting_confirmation}"


sign_up_tokens = _SignUpTokens()


def sign_up_request(*, email: str, password: str, display_name: str = "", link_base: str) -> None:
    """Sign-up as the public sees it: the same answer whether or not the address has an account.

    A new address gets an unconfirmed account and a link to ``link_base`` that confirms it; an
    unconfirmed account gets the new password and a new link (whoever reads the inbox decides); a
    confirmed account is left alone and its owner told that someone tried to sign up with it. Each
    path hashes one password and sends one email, so the time taken says nothing either.
    """
    email = _sign_up_checked(email=email, password=password)
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            user = user_sign_up(
                email=email, password=password, display_name=display_name, confirmed=False
            )
        except ValidationFailed:  # signed up a moment ago by a concurrent request
            make_password(password)
            return
    elif existing.awaiting_confirmation and not existing.is_active:
        user = existing
        user.set_password(password)
        user.save(update_fields=["password"])
    else:
        make_password(password)  # the same work as a new account's hash
        transaction.on_commit(lambda: sign_up_attempt_notice(email=email))
        return
    link = f"{link_base}?user={user.pk}&token={sign_up_tokens.make_token(user)}"
    transaction.on_commit(lambda: sign_up_confirmation_send(email=email, link=link))


def sign_up_confirmation_send(*, email: str, link: str) -> None:
    send_mail(
        "Wellverse: confirm your email address",
        "Welcome to Wellverse. Open this link to confirm your address and finish creating your "
        f"account:\n\n{link}\n\nIf you did not sign up, ignore this email; no account is "
        "made without the link.",
        None,
        [email],
    )


def sign_up_attempt_notice(*, email: str) -> None:
    send_mail(
        "Wellverse: someone tried to sign up with your address",
        "Someone tried to create a Wellverse account with your email address, which already has "
        "one. Nothing was changed. If it was you, sign in instead (or reset your password); if "
        "not, you can ignore this email.",
        None,
        [email],
    )


def sign_up_confirm(*, user_id: int, token: str) -> User:
    """Confirm the address from the emailed link: the account becomes active."""
    user = User.objects.filter(pk=user_id, awaiting_confirmation=True).first()
    if user is None or not sign_up_tokens.check_token(user, token):
        raise DomainError(
            "This link is not valid any more: sign up again to get a new one.",
            code="invalid_link",
        )
    user.is_active, user.awaiting_confirmation = True, False
    user.save(update_fields=["is_active", "awaiting_confirmation"])
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


def person_sockets_close(
    *, user_id: int, reason: str, session_key: str | None = None, role: str | None = None
) -> None:
    """Close the person's cookie-authenticated sockets (only those of ``session_key``, or those
    opened while holding ``role``, if given) in every server process, once the transaction
    commits. A lost role goes through ``wellness.people.roles``."""
    assert reason in SOCKET_CLOSE_REASONS
    broadcast_on_commit(
        person_sockets_group(user_id),
        {
            "type": "sockets.close",
            "reason": reason,
            "session": session_tag(session_key),
            "role": role,
        },
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
