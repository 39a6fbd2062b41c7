"""API permissions: signed in, with a token whose scope fits the endpoint, and consent for health data."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from wellness.core.errors import ConsentRequired
from wellness.people.models import AccessToken, TokenScope, User
from wellness.people.selectors import health_consent_active
from wellness.people.twofactor import (
    TwoFactorEnrolmentRequired,
    requires_two_factor,
    two_factor_verified,
)


class IsAuthenticatedForApi(permissions.IsAuthenticated):
    """Signed in, and if by token, with a scope the view accepts (``token_scopes``, default api).

    Ingest tokens live on bridges and phones; if one leaks it must not unlock the whole account.
    """

    message = "This token's scope does not allow this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if isinstance(request.auth, AccessToken):
            accepted = getattr(view, "token_scopes", (TokenScope.API,))
            return request.auth.scope in accepted
        # A session of a role that requires a second factor reaches only enrolment until it has one.
        if (
            not getattr(view, "two_factor_enrolment", False)
            and not two_factor_verified(request.user)
            and requires_two_factor(request.user)  # type: ignore[arg-type]
        ):
            raise TwoFactorEnrolmentRequired()
        return True


class HasHealthDataConsent(permissions.BasePermission):
    """For endpoints that accept health data: refused with ``consent_required`` until consented."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not health_consent_active(user=request.user):  # type: ignore[arg-type]
            raise ConsentRequired()
        return True


def request_user(request: Request) -> User:
    """The signed-in person of a request that passed the API's permission check."""
    assert isinstance(request.user, User)
    return request.user
