"""Reads for accounts, profiles, consent and tokens; every query is scoped to one user."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, TypedDict

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from wellness.core import privacy
from wellness.people.models import (
    AccessLogEntry,
    AccessToken,
    ConsentPurpose,
    ConsentRecord,
    Profile,
    User,
    Visibility,
)
from wellness.people.physiology import Estimate, effective_max_heart_rate
from wellness.people.tokens import token_digest, token_looks_valid


def consent_current(*, user: User) -> ConsentRecord | None:
    return (
        ConsentRecord.objects.filter(user=user, purpose=ConsentPurpose.HEALTH_DATA)
        .order_by("-recorded_at", "-id")
        .first()
    )


def health_consent_active(*, user: User) -> bool:
    current = consent_current(user=user)
    return current is not None and current.granted


def health_consent_active_many(user_ids: list[int]) -> dict[int, bool]:
    """:func:`health_consent_active` of many users in one query (the newest record decides)."""
    newest = ConsentRecord.objects.filter(
        user=OuterRef("pk"), purpose=ConsentPurpose.HEALTH_DATA
    ).order_by("-recorded_at", "-id")
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(granted=Subquery(newest.values("granted")[:1]))
        .values_list("pk", "granted")
    )
    return {pk: granted is True for pk, granted in rows}


def consent_history(*, user: User) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(user=user).order_by("-recorded_at", "-id")


def access_log_for(*, user: User) -> QuerySet[AccessLogEntry]:
    """Every read of this person's health data by someone else, newest first."""
    return AccessLogEntry.objects.filter(subject=user).order_by("-at", "-id")


def profile_of(*, user: User) -> Profile:
    """Fresh from the database: a cached ``user.profile`` may predate a change in this request."""
    return Profile.objects.select_related("user").get(user=user)


def public_name(profile: Profile) -> str:
    """The name other people see: the display name, or the pseudonym of a private athlete."""
    if profile.visibility == Visibility.PRIVATE:
        return profile.pseudonym or anonymous_name(user_id=profile.user_id)
    return profile.display_name


def anonymous_name(*, user_id: int, context: str = "") -> str:
    """A stable stand-in for someone without a pseudonym that reveals nothing (not the account id).

    ``context`` (a class occurrence, say) makes the name unlinkable to the same person elsewhere.
    """
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"anonymous-name:{context}:{user_id}".encode(), hashlib.sha256)
    return f"Athlete {int(digest.hexdigest()[:8], 16) % 10_000:04d}"


def profile_age_years(profile: Profile) -> int | None:
    """Age this year; a birth year is all we ask for, so this may be one year high."""
    return age_years(profile.birth_year)


def age_years(birth_year: int | None) -> int | None:
    """Age this year of someone born in ``birth_year`` (None: not known)."""
    if birth_year is None:
        return None
    return timezone.now().year - birth_year


def profile_max_heart_rate(profile: Profile) -> Estimate | None:
    return effective_max_heart_rate(profile.max_heart_rate, profile_age_years(profile))


def access_tokens_for(*, user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user)


def access_token_by_secret(raw: str) -> AccessToken | None:
    """The active token with this secret, with its user, or None."""
    if not token_looks_valid(raw):
        return None
    return (
        AccessToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def access_tokens_by_secrets(raws: list[str]) -> dict[str, AccessToken]:
    """:func:`access_token_by_secret` for many secrets in one query (sockets opening at once)."""
    digests = {token_digest(raw): raw for raw in raws if token_looks_valid(raw)}
    if not digests:
        return {}
    tokens = AccessToken.objects.select_related("user").filter(
        digest__in=digests, revoked_at__isnull=True, user__is_active=True
    )
    return {digests[token.digest]: token for token in tokens}


class AccountExport(TypedDict):
    email: str
    date_joined: str


class ProfileExport(TypedDict):
    display_name: str
    birth_year: int | None
    sex: str | None
    weight_kg: float | None
    resting_heart_rate: int | None
    max_heart_rate: int | None
    lactate_threshold_heart_rate: int | None
    units: str
    time_zone: str
    visibility: str
    pseudonym: str
    show_in_live_worlds: bool


class ConsentRecordExport(TypedDict):
    purpose: str
    granted: bool
    policy_version: str
    recorded_at: str


class AccessTokenExport(TypedDict):
    name: str
    scope: str
    prefix: str
    created_at: str
    revoked_at: str | None


class AccessLogExport(TypedDict):
    accessor: str
    accessor_role: str
    what: str
    why: str
    at: str


class UserExport(TypedDict):
    """The account's own part of the export; each feature adds a section of its own
    (``wellness.core.privacy.register_exporter``), so the file carries more keys than these."""

    account: AccountExport
    profile: ProfileExport
    consent_records: list[ConsentRecordExport]
    access_tokens: list[AccessTokenExport]
    access_log: list[AccessLogExport]


def user_export(*, user: User) -> dict[str, Any]:
    """Everything Wellverse stores about this person, as JSON-ready data (GDPR Art. 15 and 20)."""
    profile = profile_of(user=user)
    own = UserExport(
        account=AccountExport(email=user.email, date_joined=user.date_joined.isoformat()),
        profile=ProfileExport(
            display_name=profile.display_name,
            birth_year=profile.birth_year,
            sex=profile.sex or None,
            weight_kg=float(profile.weight_kg) if profile.weight_kg is not None else None,
            resting_heart_rate=profile.resting_heart_rate,
            max_heart_rate=profile.max_heart_rate,
            lactate_threshold_heart_rate=profile.lactate_threshold_heart_rate,
            units=profile.units,
            time_zone=profile.time_zone,
            visibility=profile.visibility,
            pseudonym=profile.pseudonym,
            show_in_live_worlds=profile.show_in_live_worlds,
        ),
        consent_records=[
            ConsentRecordExport(
                purpose=r.purpose,
                granted=r.granted,
                policy_version=r.policy_version,
                recorded_at=r.recorded_at.isoformat(),
            )
            for r in consent_history(user=user)
        ],
        access_tokens=[
            AccessTokenExport(
                name=t.name,
                scope=t.scope,
                prefix=t.prefix,
                created_at=t.created_at.isoformat(),
                revoked_at=t.revoked_at.isoformat() if t.revoked_at else None,
            )
            for t in access_tokens_for(user=user)
        ],
        access_log=[
            AccessLogExport(
                accessor=e.accessor_name,
                accessor_role=e.accessor_role,
                what=e.what,
                why=e.why,
                at=e.at.isoformat(),
            )
            for e in access_log_for(user=user)
        ],
    )
    data: dict[str, Any] = dict(own)
    for section, exporter in privacy.exporters().items():
        data[section] = exporter(user)
    return data
