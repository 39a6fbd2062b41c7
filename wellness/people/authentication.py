"""Bearer-token authentication for API clients (``Authorization: Bearer wv_…``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from wellness.people.models import AccessToken, User
from wellness.people.selectors import access_token_by_secret
from wellness.people.services import access_token_touch

ACCEPTED_KEYWORDS = ("bearer", "token")


def bearer_secret(header_value: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` (or ``Token <secret>``) header."""
    if not header_value:
        return None
    parts = header_value.split()
    if len(parts) != 2 or parts[0].lower() not in ACCEPTED_KEYWORDS:
        return None
    return parts[1]


class AccessTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        secret = bearer_secret(header)
        if secret is None:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        token = access_token_by_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown or has been revoked.")
        access_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "wellness.people.authentication.AccessTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "wv_<prefix>_<secret>"}
