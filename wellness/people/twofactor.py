"""Two-factor authentication (django-otp): TOTP with single-use recovery codes.

Optional for everyone, required for staff and for the roles that see other people's health data.
The rule lives here, in :func:`requires_two_factor`; a role's app registers its test from its
``AppConfig.ready`` (``register_two_factor_role``), so the care issues' clinicians, therapists and
facilitators only register.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wellness.core.errors import DomainError, Forbidden, ValidationFailed
from wellness.people.models import Passkey, User

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

_roles: dict[str, Callable[[User], bool]] = {}


def register_two_factor_role(name: str, holds_role: Callable[[User], bool]) -> None:
    """A role whose holders must use two-factor authentication (``holds_role(user)``)."""
    _roles[name] = holds_role


def two_factor_roles(user: User) -> list[str]:
    """The roles for which this person must use two-factor authentication."""
    roles = ["staff"] if user.is_staff or user.is_superuser else []
    return roles + [name for name, holds_role in _roles.items() if holds_role(user)]


def requires_two_factor(user: User) -> bool:
    return bool(two_factor_roles(user))


def two_factor_enabled(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def two_factor_verified(user: Any) -> bool:
    """Whether this sign-in passed the second factor (``otp_device`` is set by django-otp's
    middleware from the session)."""
    return getattr(user, "otp_device", None) is not None


class TwoFactorRequired(DomainError):
    status_code = 401
    code = "two_factor_required"


class TwoFactorEnrolmentRequired(Forbidden):
    code = "two_factor_enrolment_required"

    def __init__(self) -> None:
        super().__init__(
            "Your role requires two-factor authentication: enrol an authenticator app at "
            "POST /api/v1/auth/two-factor/totp/ or a passkey at "
            "POST /api/v1/auth/two-factor/passkeys/options/ before anything else."
        )


def two_factor_factors(user: User) -> list[str]:
    """The second factors this person can sign in with now."""
    factors = []
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        factors.append("totp")
    if Passkey.objects.filter(user=user, confirmed=True).exists():
        factors.append("webauthn")
    if StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists():
        factors.append("recovery_code")
    return factors


def two_factor_status(user: User) -> dict[str, Any]:
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    passkeys = Passkey.objects.filter(user=user, confirmed=True)
    return {
        "enabled": two_factor_enabled(user),
        "required": requires_two_factor(user),
        "required_by": two_factor_roles(user),
        "recovery_codes_left": static.token_set.count() if static else 0,
        "factors": two_factor_factors(user),
        "passkeys": [
            {"id": p.pk, "name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at}
            for p in passkeys
        ],
    }


def totp_enrol(*, user: User) -> TOTPDevice:
    """Start enrolling an authenticator app: a new unconfirmed secret (any earlier one is dropped)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise DomainError(
            "Two-factor authentication is already on; turn it off first to enrol a new app.",
            code="two_factor_enabled",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app with a code it shows; returns the device and fresh recovery codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError("Start enrolling first.", code="two_factor_not_enrolling")
    if not device.verify_token(code.strip()):
        raise ValidationFailed(
            "That code is not the one your app shows now.", fields={"code": ["Wrong code."]}
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=user)
    return device, codes


def recovery_codes_renew(*, user: User) -> list[str]:
    """New single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def two_factor_match(*, user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (a current TOTP code or an unused recovery code)."""
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def two_factor_disable(*, user: User, password: str, code: str) -> None:
    if requires_two_factor(user):
        raise Forbidden(
            "Your role requires two-factor authentication; it cannot be turned off.",
        )
    if not user.check_password(password or ""):
        raise ValidationFailed(
            "Confirm with your password.", fields={"password": ["The password is not correct."]}
        )
    if two_factor_match(user=user, code=code) is None:
        raise ValidationFailed("The code is not correct.", fields={"code": ["Wrong code."]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
