"""Input validation and output shapes of the person API. No domain logic here."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.people.models import (
    AccessLogEntry,
    AccessToken,
    ConsentRecord,
    Profile,
    Sex,
    TokenScope,
    Units,
    User,
    Visibility,
)
from wellness.people.selectors import (
    AccessLogExport,
    AccessTokenExport,
    AccountExport,
    ConsentRecordExport,
    ProfileExport,
    UserExport,
    health_consent_active,
    profile_max_heart_rate,
    public_name,
)


class SignUpInput(serializers.Serializer[Any]):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=60)


class SignUpAcceptedOutput(serializers.Serializer[Any]):
    email = serializers.EmailField()
    detail = serializers.CharField()


class SignUpConfirmInput(serializers.Serializer[Any]):
    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    token = serializers.CharField(max_length=100)


class SignInInput(serializers.Serializer[Any]):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    # The second factor, once enabled: the authenticator app's code or a recovery code.
    code = serializers.CharField(required=False, allow_blank=True, max_length=32)


class TokenSignInInput(SignInInput):
    name = serializers.CharField(required=False, max_length=80, default="API client")


class MaxHeartRateOutput(serializers.Serializer[Any]):
    value = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["measured", "estimated"])  # type: ignore[assignment]
    formula = serializers.CharField(allow_null=True)


class ProfileOutput(serializers.ModelSerializer[Profile]):
    email = serializers.EmailField(source="user.email", read_only=True)
    effective_max_heart_rate = serializers.SerializerMethodField()
    health_data_consent = serializers.SerializerMethodField()
    public_name = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = [
            "email",
            "display_name",
            "birth_year",
            "sex",
            "weight_kg",
            "resting_heart_rate",
            "max_heart_rate",
            "effective_max_heart_rate",
            "lactate_threshold_heart_rate",
            "units",
            "time_zone",
            "visibility",
            "pseudonym",
            "public_name",
            "show_in_live_worlds",
            "health_data_consent",
        ]

    @extend_schema_field(MaxHeartRateOutput(allow_null=True))
    def get_effective_max_heart_rate(self, profile: Profile) -> dict[str, Any] | None:
        estimate = profile_max_heart_rate(profile)
        if estimate is None:
            return None
        return {"value": estimate.value, "source": estimate.source, "formula": estimate.formula}

    def get_public_name(self, profile: Profile) -> str:
        return public_name(profile)

    def get_health_data_consent(self, profile: Profile) -> bool:
        return health_consent_active(user=profile.user)


class ProfileInput(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=60, required=False)
    birth_year = serializers.IntegerField(min_value=1900, required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=[*Sex.values, ""], required=False)
    weight_kg = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=20, max_value=400, required=False, allow_null=True
    )
    resting_heart_rate = serializers.IntegerField(
        min_value=25, max_value=120, required=False, allow_null=True
    )
    max_heart_rate = serializers.IntegerField(
        min_value=100, max_value=230, required=False, allow_null=True
    )
    lactate_threshold_heart_rate = serializers.IntegerField(
        min_value=80, max_value=225, required=False, allow_null=True
    )
    units = serializers.ChoiceField(choices=Units.values, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.values, required=False)
    pseudonym = serializers.CharField(max_length=40, required=False, allow_blank=True)
    show_in_live_worlds = serializers.BooleanField(required=False)


class AccountDeleteInput(serializers.Serializer[Any]):
    password = serializers.CharField(trim_whitespace=False)


class UserOutput(serializers.ModelSerializer[User]):
    display_name = serializers.CharField(source="profile.display_name")

    class Meta:
        model = User
        fields = ["id", "email", "display_name"]


class ConsentInput(serializers.Serializer[Any]):
    granted = serializers.BooleanField()
    policy_version = serializers.CharField(max_length=32, required=False)
    erase_health_data = serializers.BooleanField(required=False, default=False)


class ConsentRecordOutput(serializers.ModelSerializer[ConsentRecord]):
    class Meta:
        model = ConsentRecord
        fields = ["purpose", "granted", "policy_version", "recorded_at"]


class AccessLogEntryOutput(serializers.ModelSerializer[AccessLogEntry]):
    accessor = serializers.CharField(source="accessor_name")

    class Meta:
        model = AccessLogEntry
        fields = ["id", "accessor", "accessor_role", "what", "why", "at"]
        read_only_fields = fields


class ConsentStatusOutput(serializers.Serializer[Any]):
    granted = serializers.BooleanField()
    current_policy_version = serializers.CharField()
    history = ConsentRecordOutput(many=True)


class AccessTokenInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    scope = serializers.ChoiceField(choices=TokenScope.values, default=TokenScope.INGEST)


class AccessTokenOutput(serializers.ModelSerializer[AccessToken]):
    class Meta:
        model = AccessToken
        fields = ["id", "name", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]


class AccessTokenCreatedOutput(AccessTokenOutput):
    token = serializers.CharField(help_text="The secret. Shown only in this response.")

    class Meta(AccessTokenOutput.Meta):
        fields = [*AccessTokenOutput.Meta.fields, "token"]


class PasskeyOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TwoFactorStatusOutput(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    required_by = serializers.ListField(child=serializers.CharField())
    recovery_codes_left = serializers.IntegerField()
    factors = serializers.ListField(
        child=serializers.CharField(), help_text='Usable now: "totp", "webauthn", "recovery_code".'
    )
    passkeys = PasskeyOutput(many=True)
    verified = serializers.BooleanField()


class WebAuthnOptionsOutput(serializers.Serializer[Any]):
    """Options for ``navigator.credentials.create`` or ``.get``, binary values in base64url."""

    public_key = serializers.DictField(
        help_text="PublicKeyCredentialCreationOptions or RequestOptions, as JSON."
    )


class PasskeyRegisterInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=64, required=False, default="Passkey")
    credential = serializers.DictField(
        help_text="The PublicKeyCredential from navigator.credentials.create, as JSON (base64url)."
    )


class PasskeyRegisteredOutput(serializers.Serializer[Any]):
    passkey = PasskeyOutput()
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Fresh recovery codes when this was the first second factor; else empty.",
    )


class PasskeySignInInput(serializers.Serializer[Any]):
    credential = serializers.DictField(
        help_text="The PublicKeyCredential from navigator.credentials.get, as JSON (base64url)."
    )


class TotpEnrolmentOutput(serializers.Serializer[Any]):
    secret = serializers.CharField(help_text="Base32, for typing into an app by hand.")
    otpauth_url = serializers.CharField(help_text="For a QR code.")


class CodeInput(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)


class RecoveryCodesOutput(serializers.Serializer[Any]):
    recovery_codes = serializers.ListField(child=serializers.CharField())


class TwoFactorDisableInput(serializers.Serializer[Any]):
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    code = serializers.CharField(max_length=32)


class AccountExportOutput(serializers.Serializer[AccountExport]):
    email = serializers.EmailField()
    date_joined = serializers.DateTimeField()


class ProfileExportOutput(serializers.Serializer[ProfileExport]):
    display_name = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField(allow_null=True)
    weight_kg = serializers.FloatField(allow_null=True)
    resting_heart_rate = serializers.IntegerField(allow_null=True)
    max_heart_rate = serializers.IntegerField(allow_null=True)
    lactate_threshold_heart_rate = serializers.IntegerField(allow_null=True)
    units = serializers.CharField()
    time_zone = serializers.CharField()
    visibility = serializers.CharField()
    pseudonym = serializers.CharField()
    show_in_live_worlds = serializers.BooleanField()


class ConsentRecordExportOutput(serializers.Serializer[ConsentRecordExport]):
    purpose = serializers.CharField()
    granted = serializers.BooleanField()
    policy_version = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class AccessTokenExportOutput(serializers.Serializer[AccessTokenExport]):
    name = serializers.CharField()
    scope = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class AccessLogExportOutput(serializers.Serializer[AccessLogExport]):
    accessor = serializers.CharField()
    accessor_role = serializers.CharField()
    what = serializers.CharField()
    why = serializers.CharField()
    at = serializers.DateTimeField()


class UserExportOutput(serializers.Serializer[UserExport]):
    """The account's part of the export; the file also has one section per feature (workouts,
    scoring, classes, challenges, worlds), each that feature's own shape."""

    account = AccountExportOutput()
    profile = ProfileExportOutput()
    consent_records = ConsentRecordExportOutput(many=True)
    access_tokens = AccessTokenExportOutput(many=True)
    access_log = AccessLogExportOutput(many=True)
