"""HTTP endpoints for accounts, profiles, consent and tokens: validate, call one service, serialize."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.core.errors import DomainError, Forbidden, NotFound
from wellness.core.rest import ClientAddressThrottle, Pagination
from wellness.people.lockout import account_locked, account_locked_error
from wellness.people.models import AccessLogEntry, AccessToken, TokenScope, User
from wellness.people.passkeys import (
    PasskeyRefused,
    RelyingParty,
    passkey_authentication_begin,
    passkey_authentication_complete,
    passkey_delete,
    passkey_registration_begin,
    passkey_registration_complete,
    passkeys_of,
    sign_in_pending_start,
)
from wellness.people.permissions import request_user
from wellness.people.selectors import (
    access_log_for,
    access_tokens_for,
    consent_history,
    health_consent_active,
    profile_of,
    user_export,
)
from wellness.people.serializers import (
    AccessLogEntryOutput,
    AccessTokenCreatedOutput,
    AccessTokenInput,
    AccessTokenOutput,
    AccountDeleteInput,
    CodeInput,
    ConsentInput,
    ConsentRecordOutput,
    ConsentStatusOutput,
    PasskeyOutput,
    PasskeyRegisteredOutput,
    PasskeyRegisterInput,
    PasskeySignInInput,
    ProfileInput,
    ProfileOutput,
    RecoveryCodesOutput,
    SignInInput,
    SignUpAcceptedOutput,
    SignUpConfirmInput,
    SignUpInput,
    TokenSignInInput,
    TotpEnrolmentOutput,
    TwoFactorDisableInput,
    TwoFactorStatusOutput,
    UserExportOutput,
    UserOutput,
    WebAuthnOptionsOutput,
)
from wellness.people.services import (
    CURRENT_HEALTH_POLICY_VERSION,
    access_token_create,
    access_token_revoke,
    account_delete,
    consent_grant,
    consent_withdraw,
    person_sockets_close,
    profile_update,
    sign_up_confirm,
    sign_up_request,
)
from wellness.people.twofactor import (
    TwoFactorEnrolmentRequired,
    TwoFactorRequired,
    recovery_codes_renew,
    requires_two_factor,
    totp_confirm,
    totp_enrol,
    two_factor_disable,
    two_factor_enabled,
    two_factor_factors,
    two_factor_match,
    two_factor_status,
    two_factor_verified,
)

# The web UI's page that the emailed sign-up link opens (frontend/src/auth/).
CONFIRM_EMAIL_PATH = "/confirm-email"


def _enforce_csrf(request: Request) -> None:
    """Session-creating endpoints check CSRF even for anonymous callers (login CSRF)."""
    SessionAuthentication().enforce_csrf(request)


def _authenticate(request: Request, data: dict[str, Any], *, passkey_may_follow: bool) -> User:
    # The Django request: the lockout (django-axes) marks it when this account is locked.
    django_request = request._request
    user = authenticate(django_request, email=data["email"].lower(), password=data["password"])
    if user is None:
        if getattr(django_request, "axes_locked_out", False):
            raise account_locked_error(django_request)
        raise DomainError(
            "The email address or the password is not correct.", code="invalid_credentials"
        )
    assert isinstance(user, User)
    if two_factor_enabled(user):
        code = data.get("code") or ""
        if not code:
            factors = two_factor_factors(user)
            if passkey_may_follow and "webauthn" in factors:
                # Only the passkey sign-in reads this; it authenticates nothing by itself.
                sign_in_pending_start(session=django_request.session, user=user)
            raise TwoFactorRequired(
                "Enter the code your authenticator app shows or one of your recovery codes, "
                "or use your passkey.",
                details={"factors": factors},
            )
        user.otp_device = _second_factor(django_request, user, code)  # type: ignore[attr-defined]
    return user


def _second_factor_failed(django_request: Any, user: User, error: DomainError) -> DomainError:
    """Counts a wrong second factor as a failed sign-in for the lockout; the error to raise."""
    user_login_failed.send(
        sender=__name__, credentials={"email": user.email}, request=django_request
    )
    if getattr(django_request, "axes_locked_out", False):
        return account_locked_error(django_request)
    return error


def _second_factor(django_request: Any, user: User, code: str) -> Any:
    """The device that accepts ``code``; a wrong code counts as a failed sign-in for the lockout."""
    device = two_factor_match(user=user, code=code)
    if device is None:
        wrong = DomainError("The code is not correct.", code="invalid_code")
        raise _second_factor_failed(django_request, user, wrong)
    return device


def _relying_party(request: Request) -> RelyingParty:
    """Ours, with the origin this request came to (its host passed ALLOWED_HOSTS) and the trusted
    origins: the browser signs the page's origin into every passkey answer."""
    own = f"{request.scheme}://{request.get_host()}"
    origins = (own, *settings.CSRF_TRUSTED_ORIGINS)
    return RelyingParty(id=settings.WEBAUTHN_RP_ID, name=settings.WEBAUTHN_RP_NAME, origins=origins)


class AuthThrottledView(APIView):
    """Sign-in style endpoints: anonymous, and throttled per client address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ClientAddressThrottle]
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
    @extend_schema(
        request=SignUpInput,
        responses={202: SignUpAcceptedOutput},
        summary="Sign up: 202 and an emailed link, whether or not the address has an account.",
    )
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        link_base = request.build_absolute_uri(CONFIRM_EMAIL_PATH)
        sign_up_request(**data.validated_data, link_base=link_base)
        email = data.validated_data["email"].strip().lower()
        body = {
            "email": email,
            "detail": f"Check your inbox at {email}: the link we sent finishes signing up.",
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


class SignUpConfirmView(AuthThrottledView):
    @extend_schema(
        request=SignUpConfirmInput,
        responses={200: UserOutput},
        summary="Confirm the address with the emailed link's user and token; signs in.",
    )
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = SignUpConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = sign_up_confirm(**data.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserOutput(user).data)


class SignInView(AuthThrottledView):
    @extend_schema(request=SignInInput, responses={200: UserOutput})
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = SignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _authenticate(request, data.validated_data, passkey_may_follow=True)
        # With ``otp_device`` set, django-otp marks the session as verified by the second factor.
        login(request._request, user)
        return Response(UserOutput(user).data)


class PasskeySignInOptionsView(AuthThrottledView):
    @extend_schema(
        request=None,
        responses=WebAuthnOptionsOutput,
        summary="After a right password: options for navigator.credentials.get (your passkeys).",
    )
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        options = passkey_authentication_begin(
            session=request._request.session, relying_party=_relying_party(request)
        )
        return Response({"public_key": options})


class PasskeySignInView(AuthThrottledView):
    @extend_schema(
        request=PasskeySignInInput,
        responses=UserOutput,
        summary="Finish signing in with the passkey's signed answer (the second factor).",
    )
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = PasskeySignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user, passkey = passkey_authentication_complete(
            session=django_request.session,
            relying_party=_relying_party(request),
            credential=data.validated_data["credential"],
        )
        if passkey is None:
            wrong = PasskeyRefused("The passkey's answer could not be verified; sign in again.")
            raise _second_factor_failed(django_request, user, wrong)
        if account_locked(django_request, email=user.email):
            raise account_locked_error(django_request)
        user.otp_device = passkey  # type: ignore[attr-defined]
        login(django_request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserOutput(user).data)


class SignOutView(APIView):
    two_factor_enrolment = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AccessToken):
            access_token_revoke(user=request_user(request), token_id=request.auth.pk)
        else:
            person_sockets_close(
                user_id=request_user(request).pk,
                reason="signed_out",
                session_key=request.session.session_key,
            )
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
        user = _authenticate(request, data.validated_data, passkey_may_follow=False)
        if requires_two_factor(user) and not two_factor_enabled(user):
            raise TwoFactorEnrolmentRequired()
        token, raw = access_token_create(
            user=user, name=data.validated_data["name"], scope=TokenScope.API
        )
        body = AccessTokenOutput(token).data | {"token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


class MeView(APIView):
    # Only their own profile: the web UI needs it to lead a person to enrolment.
    two_factor_enrolment = True

    @extend_schema(responses=ProfileOutput)
    def get(self, request: Request) -> Response:
        return Response(ProfileOutput(profile_of(user=request_user(request))).data)

    @extend_schema(request=ProfileInput, responses=ProfileOutput)
    def patch(self, request: Request) -> Response:
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = profile_update(user=request_user(request), changes=dict(data.validated_data))
        return Response(ProfileOutput(profile).data)

    @extend_schema(request=AccountDeleteInput, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        account_delete(user=request_user(request), password=data.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    @extend_schema(
        responses={200: UserExportOutput},
        summary="Download everything Wellverse stores about you, as JSON.",
        description="The account's own part is described here; each feature adds a section of "
        "its own (workouts, scoring, classes, challenges, worlds).",
    )
    def get(self, request: Request) -> Response:
        response = Response(user_export(user=request_user(request)))
        response["Content-Disposition"] = 'attachment; filename="wellverse-export.json"'
        return response


class AccessLogView(ListAPIView[AccessLogEntry]):
    """A generic list view so the schema documents the paginated envelope."""

    serializer_class = AccessLogEntryOutput
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[AccessLogEntry]:
        return access_log_for(user=request_user(self.request))

    @extend_schema(
        summary="Who else read your health data: who, what, when and why, newest first.",
        operation_id="me_access_log_list",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class HealthConsentView(APIView):
    def _status(self, user: User) -> dict[str, Any]:
        return {
            "granted": health_consent_active(user=user),
            "current_policy_version": CURRENT_HEALTH_POLICY_VERSION,
            "history": ConsentRecordOutput(consent_history(user=user), many=True).data,
        }

    @extend_schema(responses=ConsentStatusOutput)
    def get(self, request: Request) -> Response:
        return Response(self._status(request_user(request)))

    @extend_schema(
        request=ConsentInput,
        responses=ConsentStatusOutput,
        summary="Give (granted: true) or withdraw (granted: false) consent to health-data processing.",
    )
    def post(self, request: Request) -> Response:
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        if data.validated_data["granted"]:
            consent_grant(
                user=user,
                policy_version=data.validated_data.get(
                    "policy_version", CURRENT_HEALTH_POLICY_VERSION
                ),
            )
        else:
            consent_withdraw(user=user, erase_health_data=data.validated_data["erase_health_data"])
        return Response(self._status(user))


class TokenListView(APIView):
    @extend_schema(responses=AccessTokenOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            access_tokens_for(user=request_user(request)), request, view=self
        )
        return paginator.get_paginated_response(AccessTokenOutput(page, many=True).data)

    @extend_schema(request=AccessTokenInput, responses={201: AccessTokenCreatedOutput})
    def post(self, request: Request) -> Response:
        # Tokens stay single-factor, so only a full sign-in may make one, never another token.
        if isinstance(request.auth, AccessToken):
            raise Forbidden(
                "API tokens are created from a signed-in session or POST /api/v1/auth/token/."
            )
        if two_factor_enabled(request_user(request)) and not two_factor_verified(request.user):
            raise TwoFactorRequired("Sign in again with your second factor to create a token.")
        data = AccessTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = access_token_create(user=request_user(request), **data.validated_data)
        return Response(AccessTokenOutput(token).data | {"token": raw}, status=201)


class TokenDetailView(APIView):
    @extend_schema(responses=AccessTokenOutput)
    def get(self, request: Request, token_id: int) -> Response:
        token = access_tokens_for(user=request_user(request)).filter(pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        return Response(AccessTokenOutput(token).data)

    @extend_schema(responses={204: None}, summary="Revoke the token; its open connections close.")
    def delete(self, request: Request, token_id: int) -> Response:
        access_token_revoke(user=request_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorView(APIView):
    """Enrolment is open to a signed-in session that has not passed a second factor yet."""

    two_factor_enrolment = True

    def _status(self, request: Request) -> dict[str, Any]:
        return two_factor_status(request_user(request)) | {
            "verified": two_factor_verified(request.user)
        }

    def _enrolling_user(self, request: Request) -> User:
        """Adding a factor: once 2FA is on, only from a session that passed it."""
        user = request_user(request)
        if two_factor_enabled(user) and not two_factor_verified(request.user):
            raise TwoFactorRequired("Sign in with your second factor to add another one.")
        return user


class TwoFactorStatusView(TwoFactorView):
    @extend_schema(responses=TwoFactorStatusOutput)
    def get(self, request: Request) -> Response:
        return Response(self._status(request))

    @extend_schema(
        request=TwoFactorDisableInput,
        responses=TwoFactorStatusOutput,
        summary="Turn two-factor authentication off (not allowed where a role requires it).",
    )
    def delete(self, request: Request) -> Response:
        data = TwoFactorDisableInput(data=request.data)
        data.is_valid(raise_exception=True)
        two_factor_disable(user=request_user(request), **data.validated_data)
        return Response(self._status(request))


class TotpEnrolView(TwoFactorView):
    @extend_schema(request=None, responses={201: TotpEnrolmentOutput})
    def post(self, request: Request) -> Response:
        device = totp_enrol(user=self._enrolling_user(request))
        body = {"secret": b32encode(device.bin_key).decode(), "otpauth_url": device.config_url}
        return Response(body, status=status.HTTP_201_CREATED)


class TotpConfirmView(TwoFactorView):
    @extend_schema(
        request=CodeInput,
        responses=RecoveryCodesOutput,
        summary="Confirm the app with its current code; returns recovery codes, shown once.",
    )
    def post(self, request: Request) -> Response:
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        device, codes = totp_confirm(
            user=self._enrolling_user(request), code=data.validated_data["code"]
        )
        # This session has just passed the second factor.
        django_otp.login(request._request, device)
        return Response({"recovery_codes": codes})


class RecoveryCodesView(TwoFactorView):
    @extend_schema(request=None, responses=RecoveryCodesOutput)
    def post(self, request: Request) -> Response:
        if not two_factor_verified(request.user):
            raise TwoFactorRequired("Sign in with your second factor to renew recovery codes.")
        return Response({"recovery_codes": recovery_codes_renew(user=request_user(request))})


class PasskeyOptionsView(TwoFactorView):
    @extend_schema(
        request=None,
        responses=WebAuthnOptionsOutput,
        summary="Start adding a passkey: options for navigator.credentials.create.",
    )
    def post(self, request: Request) -> Response:
        options = passkey_registration_begin(
            user=self._enrolling_user(request),
            session=request._request.session,
            relying_party=_relying_party(request),
        )
        return Response({"public_key": options})


class PasskeyListView(TwoFactorView):
    @extend_schema(responses=PasskeyOutput(many=True), summary="Your passkeys.")
    def get(self, request: Request) -> Response:
        return Response(PasskeyOutput(passkeys_of(user=request_user(request)), many=True).data)

    @extend_schema(
        request=PasskeyRegisterInput,
        responses={201: PasskeyRegisteredOutput},
        summary="Finish adding a passkey with the authenticator's answer; the first second factor "
        "also returns recovery codes, shown once.",
    )
    def post(self, request: Request) -> Response:
        data = PasskeyRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        passkey, codes = passkey_registration_complete(
            user=self._enrolling_user(request),
            session=request._request.session,
            relying_party=_relying_party(request),
            **data.validated_data,
        )
        # This session has just proved the new passkey.
        django_otp.login(request._request, passkey)
        body = {"passkey": PasskeyOutput(passkey).data, "recovery_codes": codes}
        return Response(body, status=status.HTTP_201_CREATED)


class PasskeyDetailView(TwoFactorView):
    @extend_schema(
        request=TwoFactorDisableInput,
        responses=TwoFactorStatusOutput,
        summary="Delete a passkey, confirmed by your password and a code.",
    )
    def delete(self, request: Request, passkey_id: int) -> Response:
        data = TwoFactorDisableInput(data=request.data)
        data.is_valid(raise_exception=True)
        passkey_delete(user=request_user(request), passkey_id=passkey_id, **data.validated_data)
        return Response(self._status(request))
