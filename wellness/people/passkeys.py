"""Passkeys (WebAuthn, via py_webauthn) as a second factor after the password; never passwordless.

Each ceremony's challenge lives in the session, single use and short-lived. Between a right password
and the passkey, the session holds only a pending sign-in (user id + expiry) that nothing but the
assertion step reads: it is not an authenticated session.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from wellness.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from wellness.people.models import Passkey, User
from wellness.people.twofactor import (
    recovery_codes_renew,
    requires_two_factor,
    two_factor_match,
)

# How long a ceremony's challenge, and a sign-in waiting for its passkey, stay usable.
CHALLENGE_SECONDS = 120
PENDING_SIGN_IN_SECONDS = 300
PASSKEYS_PER_PERSON = 10

_CHALLENGE_KEY = "wellverse_webauthn_challenge"
_PENDING_KEY = "wellverse_pending_sign_in"


@dataclass(frozen=True)
class RelyingParty:
    """Who the credentials are for: the RP id (a domain) and the origins a browser may sign from."""

    id: str
    name: str
    origins: tuple[str, ...]


class PasskeyRefused(DomainError):
    code = "invalid_passkey"


def _options_json(options: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


def _challenge_store(session: SessionBase, *, purpose: str, challenge: bytes, user: User) -> None:
    session[_CHALLENGE_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "user_id": user.pk,
        "expires": time.time() + CHALLENGE_SECONDS,
    }


def _challenge_take(session: SessionBase, *, purpose: str, user: User) -> bytes:
    """The stored challenge, removed whatever happens next: each one is verified at most once
    (the cache also remembers it, against two requests racing with one session)."""
    stored = session.pop(_CHALLENGE_KEY, None)
    if (
        not isinstance(stored, dict)
        or stored.get("purpose") != purpose
        or stored.get("user_id") != user.pk
        or float(stored.get("expires", 0)) < time.time()
    ):
        raise PasskeyRefused(
            "This passkey request has expired or was already used; start again.",
            code="passkey_challenge_expired",
        )
    if not cache.add(f"webauthn-challenge:{stored['challenge']}", 1, CHALLENGE_SECONDS):
        raise PasskeyRefused(
            "This passkey request was already used.", code="passkey_challenge_expired"
        )
    return base64url_to_bytes(str(stored["challenge"]))


_TRANSPORTS = {transport.value: transport for transport in AuthenticatorTransport}


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for passkey in Passkey.objects.filter(user=user, confirmed=True):
        transports = [_TRANSPORTS[t] for t in passkey.transports if t in _TRANSPORTS]
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(passkey.credential_id), transports=transports or None
            )
        )
    return descriptors


# --- Enrolment -------------------------------------------------------------------------------------


def passkey_registration_begin(
    *, user: User, session: SessionBase, relying_party: RelyingParty
) -> dict[str, Any]:
    """Creation options for ``navigator.credentials.create`` (as JSON, binary in base64url)."""
    if Passkey.objects.filter(user=user).count() >= PASSKEYS_PER_PERSON:
        raise DomainError(
            f"You have {PASSKEYS_PER_PERSON} passkeys already; delete one first.",
            code="passkey_limit",
        )
    options = generate_registration_options(
        rp_id=relying_party.id,
        rp_name=relying_party.name,
        user_name=user.email,
        user_id=f"wellverse-user-{user.pk}".encode(),
        user_display_name=user.email,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _challenge_store(session, purpose="register", challenge=options.challenge, user=user)
    return _options_json(options)


def passkey_registration_complete(
    *,
    user: User,
    session: SessionBase,
    relying_party: RelyingParty,
    credential: dict[str, Any],
    name: str,
) -> tuple[Passkey, list[str]]:
    """Verify the authenticator's attestation and keep the credential; a person's first factor
    also gets recovery codes (an empty list when they have some already)."""
    challenge = _challenge_take(session, purpose="register", user=user)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=relying_party.id,
            expected_origin=list(relying_party.origins),
        )
    except WebAuthnException as exc:
        raise PasskeyRefused(f"The passkey could not be verified: {exc}") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise DomainError("This passkey is registered already.", code="passkey_exists")
    transports = credential.get("response", {}).get("transports") or []
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user,
            name=name.strip() or "Passkey",
            confirmed=True,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports if isinstance(t, str)][:8],
        )
        has_codes = StaticDevice.objects.filter(user=user, token_set__isnull=False).exists()
        codes = [] if has_codes else recovery_codes_renew(user=user)
    return passkey, codes


def passkeys_of(*, user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user, confirmed=True))


def passkey_delete(*, user: User, passkey_id: int, password: str, code: str) -> None:
    """Delete a passkey, confirmed by the password and a code (like turning 2FA off). Deleting the
    last factor turns two-factor authentication off, which a role that requires it may not do."""
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        raise NotFound("No such passkey.")
    if not user.check_password(password or ""):
        raise ValidationFailed(
            "Confirm with your password.", fields={"password": ["The password is not correct."]}
        )
    if two_factor_match(user=user, code=code) is None:
        raise ValidationFailed("The code is not correct.", fields={"code": ["Wrong code."]})
    others = (
        Passkey.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk).exists()
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )
    if not others and requires_two_factor(user):
        raise Forbidden(
            "Your role requires two-factor authentication: add another passkey or an "
            "authenticator app before deleting your last one."
        )
    with transaction.atomic():
        passkey.delete()
        if not others:
            # Recovery codes alone are no second factor: with the last one gone, 2FA is off.
            StaticDevice.objects.filter(user=user).delete()


# --- Sign-in ---------------------------------------------------------------------------------------


def sign_in_pending_start(*, session: SessionBase, user: User) -> None:
    """The password was right and a passkey may follow: remember who, for a few minutes."""
    session[_PENDING_KEY] = {"user_id": user.pk, "expires": time.time() + PENDING_SIGN_IN_SECONDS}


def sign_in_pending_end(*, session: SessionBase) -> None:
    session.pop(_PENDING_KEY, None)
    session.pop(_CHALLENGE_KEY, None)


def sign_in_pending_user(*, session: SessionBase) -> User:
    """The person whose password was just right, or ``two_factor_not_pending``."""
    pending = session.get(_PENDING_KEY)
    user = None
    if isinstance(pending, dict) and float(pending.get("expires", 0)) >= time.time():
        user = User.objects.filter(pk=int(pending.get("user_id", 0)), is_active=True).first()
    if user is None:
        sign_in_pending_end(session=session)
        raise DomainError(
            "Sign in with your email address and password first.",
            code="two_factor_not_pending",
        )
    return user


def passkey_authentication_begin(
    *, session: SessionBase, relying_party: RelyingParty
) -> dict[str, Any]:
    """Request options for ``navigator.credentials.get``, limited to the pending person's passkeys."""
    user = sign_in_pending_user(session=session)
    descriptors = _descriptors(user)
    if not descriptors:
        raise DomainError("You have no passkey; use a code.", code="no_passkey")
    options = generate_authentication_options(
        rp_id=relying_party.id,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=descriptors,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _challenge_store(session, purpose="authenticate", challenge=options.challenge, user=user)
    return _options_json(options)


def passkey_authentication_complete(
    *, session: SessionBase, relying_party: RelyingParty, credential: dict[str, Any]
) -> tuple[User, Passkey | None]:
    """The pending person and the passkey whose signature verified (``None``: it did not, and
    the caller counts a failed sign-in). Either way the pending sign-in is over."""
    user = sign_in_pending_user(session=session)
    try:
        challenge = _challenge_take(session, purpose="authenticate", user=user)
    finally:
        sign_in_pending_end(session=session)
    passkey = Passkey.objects.filter(
        user=user, confirmed=True, credential_id=str(credential.get("id", ""))
    ).first()
    if passkey is None:
        return user, None
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=relying_party.id,
            expected_origin=list(relying_party.origins),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except WebAuthnException:
        return user, None
    # Only a larger count is stored: a cloned authenticator replaying an older one was refused.
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    passkey.refresh_from_db()
    return user, passkey
