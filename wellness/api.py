"""HTTP endpoints for accounts, profiles, consent and tokens: validate, call one service, serialize."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from wellness import selectors, services
from wellness.core.errors import DomainError, NotFound
from wellness.core.rest import Pagination
from wellness.models import AccessToken, TokenScope, User
from wellness.serializers import (
    AccessTokenCreatedOutput,
    AccessTokenInput,
    AccessTokenOutput,
    AccountDeleteInput,
    ConsentInput,
    ConsentRecordOutput,
    ConsentStatusOutput,
    ProfileInput,
    ProfileOutput,
    SignInInput,
    SignUpInput,
    TokenSignInInput,
    UserOutput,
)


def _enforce_csrf(request: Request) -> None:
    """Session-creating endpoints check CSRF even for anonymous callers (login CSRF)."""
    SessionAuthentication().enforce_csrf(request)


def _authenticate(request: Request, data: dict[str, Any]) -> User:
    user = authenticate(request, email=data["email"].lower(), password=data["password"])
    if user is None:
        raise DomainError(
            "The email address or the password is not correct.", code="invalid_credentials"
        )
    assert isinstance(user, User)
    return user


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class AuthThrottledView(APIView):
    """Sign-in style endpoints: anonymous, and throttled per client address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class CsrfView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()}),
        summary="Get a CSRF token (also set as the csrftoken cookie) for session sign-in.",
    )
    def get(self, request: Request) -> Response:
        # get_token also marks the csrftoken cookie to be set on this response.
        return Response({"csrf_token": get_token(request._request)})


class SignUpView(AuthThrottledView):
    @extend_schema(request=SignUpInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_sign_up(**data.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class SignInView(AuthThrottledView):
    @extend_schema(request=SignInInput, responses={200: UserOutput})
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = SignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _authenticate(request, data.validated_data)
        login(request._request, user)
        return Response(UserOutput(user).data)


class SignOutView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AccessToken):
            services.access_token_revoke(user=_me(request), token_id=request.auth.pk)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSignInView(AuthThrottledView):
    @extend_schema(
        request=TokenSignInInput,
        responses={201: AccessTokenCreatedOutput},
        summary="Exchange email and password for an API token (for scripts and apps).",
    )
    def post(self, request: Request) -> Response:
        data = TokenSignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _authenticate(request, data.validated_data)
        token, raw = services.access_token_create(
            user=user, name=data.validated_data["name"], scope=TokenScope.API
        )
        body = AccessTokenOutput(token).data | {"token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=ProfileOutput)
    def get(self, request: Request) -> Response:
        return Response(ProfileOutput(selectors.profile_of(user=_me(request))).data)

    @extend_schema(request=ProfileInput, responses=ProfileOutput)
    def patch(self, request: Request) -> Response:
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.profile_update(user=_me(request), changes=dict(data.validated_data))
        return Response(ProfileOutput(profile).data)

    @extend_schema(request=AccountDeleteInput, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_delete(user=_me(request), password=data.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    @extend_schema(
        responses={200: {"type": "object"}},
        summary="Download everything Wellverse stores about you, as JSON.",
    )
    def get(self, request: Request) -> Response:
        response = Response(selectors.user_export(user=_me(request)))
        response["Content-Disposition"] = 'attachment; filename="wellverse-export.json"'
        return response


class HealthConsentView(APIView):
    def _status(self, user: User) -> dict[str, Any]:
        return {
            "granted": selectors.health_consent_active(user=user),
            "current_policy_version": services.CURRENT_HEALTH_POLICY_VERSION,
            "history": ConsentRecordOutput(selectors.consent_history(user=user), many=True).data,
        }

    @extend_schema(responses=ConsentStatusOutput)
    def get(self, request: Request) -> Response:
        return Response(self._status(_me(request)))

    @extend_schema(
        request=ConsentInput,
        responses=ConsentStatusOutput,
        summary="Give (granted: true) or withdraw (granted: false) consent to health-data processing.",
    )
    def post(self, request: Request) -> Response:
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _me(request)
        if data.validated_data["granted"]:
            services.consent_grant(
                user=user,
                policy_version=data.validated_data.get(
                    "policy_version", services.CURRENT_HEALTH_POLICY_VERSION
                ),
            )
        else:
            services.consent_withdraw(
                user=user, erase_health_data=data.validated_data["erase_health_data"]
            )
        return Response(self._status(user))


class TokenListView(APIView):
    @extend_schema(responses=AccessTokenOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.access_tokens_for(user=_me(request)), request, view=self
        )
        return paginator.get_paginated_response(AccessTokenOutput(page, many=True).data)

    @extend_schema(request=AccessTokenInput, responses={201: AccessTokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = AccessTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = services.access_token_create(user=_me(request), **data.validated_data)
        return Response(AccessTokenOutput(token).data | {"token": raw}, status=201)


class TokenDetailView(APIView):
    @extend_schema(responses=AccessTokenOutput)
    def get(self, request: Request, token_id: int) -> Response:
        token = selectors.access_tokens_for(user=_me(request)).filter(pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        return Response(AccessTokenOutput(token).data)

    @extend_schema(responses={204: None}, summary="Revoke the token; its open connections close.")
    def delete(self, request: Request, token_id: int) -> Response:
        services.access_token_revoke(user=_me(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkoutScoreView(APIView):
    @extend_schema(
        responses={200: {"type": "object"}},
        summary="The workout's score: every metric with its explanation, flags and points.",
    )
    def get(self, request: Request, workout_id: int) -> Response:
        return Response(selectors.workout_score_view(user=_me(request), workout_id=workout_id))


class PersonalRecordsView(APIView):
    @extend_schema(
        responses={200: {"type": "object"}},
        summary="My personal records: best time per distance and best power per "
        "duration, per sport, with the workout each came from.",
    )
    def get(self, request: Request) -> Response:
        return Response({"records": selectors.personal_records(user=_me(request))})


class ProgressView(APIView):
    @extend_schema(responses={200: {"type": "object"}}, summary="My lifetime XP and level.")
    def get(self, request: Request) -> Response:
        return Response(selectors.progress_of(user=_me(request)))


class PerformanceInput(serializers.Serializer[Any]):
    days = serializers.IntegerField(min_value=1, max_value=730, default=90)


class PerformanceView(APIView):
    @extend_schema(
        parameters=[PerformanceInput],
        responses={200: {"type": "object"}},
        summary="Daily training load with fitness (CTL), fatigue (ATL) and form (TSB).",
    )
    def get(self, request: Request) -> Response:
        data = PerformanceInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        return Response(
            selectors.performance_series(user=_me(request), days=data.validated_data["days"])
        )
