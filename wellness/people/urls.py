"""Routes of accounts, profiles, consent and tokens, under /api/v1/ (``wellness/config/urls.py``)."""

from __future__ import annotations

from django.urls import path

from wellness.people import api

urlpatterns = [
    path("auth/csrf/", api.CsrfView.as_view(), name="auth-csrf"),
    path("auth/signup/", api.SignUpView.as_view(), name="auth-signup"),
    path("auth/signup/confirm/", api.SignUpConfirmView.as_view(), name="auth-signup-confirm"),
    path("auth/login/", api.SignInView.as_view(), name="auth-login"),
    path(
        "auth/login/passkey/options/",
        api.PasskeySignInOptionsView.as_view(),
        name="auth-login-passkey-options",
    ),
    path("auth/login/passkey/", api.PasskeySignInView.as_view(), name="auth-login-passkey"),
    path("auth/logout/", api.SignOutView.as_view(), name="auth-logout"),
    path("auth/token/", api.TokenSignInView.as_view(), name="auth-token"),
    path("auth/two-factor/", api.TwoFactorStatusView.as_view(), name="two-factor"),
    path("auth/two-factor/totp/", api.TotpEnrolView.as_view(), name="two-factor-totp"),
    path("auth/two-factor/totp/confirm/", api.TotpConfirmView.as_view(), name="two-factor-confirm"),
    path(
        "auth/two-factor/recovery-codes/",
        api.RecoveryCodesView.as_view(),
        name="two-factor-recovery-codes",
    ),
    path(
        "auth/two-factor/passkeys/options/",
        api.PasskeyOptionsView.as_view(),
        name="two-factor-passkey-options",
    ),
    path("auth/two-factor/passkeys/", api.PasskeyListView.as_view(), name="two-factor-passkeys"),
    path(
        "auth/two-factor/passkeys/<dbid:passkey_id>/",
        api.PasskeyDetailView.as_view(),
        name="two-factor-passkey",
    ),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.ExportView.as_view(), name="me-export"),
    path("me/access-log/", api.AccessLogView.as_view(), name="me-access-log"),
    path("consent/health-data/", api.HealthConsentView.as_view(), name="consent-health-data"),
    path("tokens/", api.TokenListView.as_view(), name="token-list"),
    path("tokens/<dbid:token_id>/", api.TokenDetailView.as_view(), name="token-detail"),
]
