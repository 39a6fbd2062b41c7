"""Input validation and output shapes of the care API. No domain logic here."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.care.models import (
    CareOrganisation,
    CareRelationship,
    ClinicianProfile,
    ConsultationNote,
    ConsultationNoteVersion,
    GrantCategory,
    OrganisationAdministrator,
    OrganisationKind,
    Profession,
    SharingGrant,
)
from wellness.care.selectors import grant_is_live
from wellness.workouts.models import Sport, WorkoutStatus

MAX_ID = 2**31 - 1


class OrganisationInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, default=OrganisationKind.CLINIC
    )


class OrganisationOutput(serializers.ModelSerializer[CareOrganisation]):
    class Meta:
        model = CareOrganisation
        fields = ["id", "name", "kind", "created_at"]


class EmailInput(serializers.Serializer[Any]):
    email = serializers.EmailField()


class AdministratorOutput(serializers.ModelSerializer[OrganisationAdministrator]):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.profile.display_name")

    class Meta:
        model = OrganisationAdministrator
        fields = ["user_id", "email", "name", "added_at"]


class ClinicianApplyInput(serializers.Serializer[Any]):
    profession = serializers.ChoiceField(choices=Profession.choices)
    registration_number = serializers.CharField(max_length=64)
    professional_name = serializers.CharField(max_length=80)
    organisation = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class OrganisationRef(serializers.ModelSerializer[CareOrganisation]):
    class Meta:
        model = CareOrganisation
        fields = ["id", "name"]


class ClinicianOutput(serializers.ModelSerializer[ClinicianProfile]):
    """A clinician as patients and administrators see them."""

    organisation = OrganisationRef(allow_null=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = ClinicianProfile
        fields = ["id", "professional_name", "profession", "organisation", "verified"]

    def get_verified(self, obj: ClinicianProfile) -> bool:
        return obj.verified_at is not None


class OwnClinicianProfileOutput(ClinicianOutput):
    """The clinician's own profile, with what only they see."""

    class Meta(ClinicianOutput.Meta):
        fields = [
            *ClinicianOutput.Meta.fields,
            "registration_number",
            "invite_code",
            "verified_at",
            "created_at",
        ]


class AdministeredClinicianOutput(ClinicianOutput):
    """A clinician as the administrators of their organisation see them, to verify them."""

    email = serializers.EmailField(source="user.email")

    class Meta(ClinicianOutput.Meta):
        fields = [*ClinicianOutput.Meta.fields, "email", "registration_number", "verified_at"]


class GrantOutput(serializers.ModelSerializer[SharingGrant]):
    live = serializers.SerializerMethodField()

    class Meta:
        model = SharingGrant
        fields = ["id", "category", "starts_at", "expires_at", "revoked_at", "live"]

    def get_live(self, obj: SharingGrant) -> bool:
        return grant_is_live(obj, self.context.get("now"))


class CareTeamMemberOutput(serializers.ModelSerializer[CareRelationship]):
    """One relationship as the patient sees it."""

    clinician = ClinicianOutput()
    grants = GrantOutput(many=True)

    class Meta:
        model = CareRelationship
        fields = ["id", "status", "created_at", "started_at", "clinician", "grants"]


class PatientOutput(serializers.ModelSerializer[CareRelationship]):
    """One relationship as the clinician sees it: who, and which categories are live now."""

    patient_id = serializers.IntegerField()
    name = serializers.CharField(source="patient.profile.display_name")
    live_categories = serializers.SerializerMethodField()
    grants = GrantOutput(many=True)

    class Meta:
        model = CareRelationship
        fields = ["id", "status", "created_at", "patient_id", "name", "live_categories", "grants"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_live_categories(self, obj: CareRelationship) -> list[str]:
        now = self.context.get("now") or timezone.now()
        return sorted({g.category for g in obj.grants.all() if grant_is_live(g, now)})


class TeamAddInput(serializers.Serializer[Any]):
    invite_code = serializers.CharField(required=False, max_length=32)
    email = serializers.EmailField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("invite_code")) == bool(attrs.get("email")):
            raise serializers.ValidationError("Send either the clinician's invite_code or email.")
        return attrs


class GrantInput(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=GrantCategory.choices)
    starts_at = serializers.DateTimeField(required=False)
    expires_at = serializers.DateTimeField(required=False)


class GrantRenewInput(serializers.Serializer[Any]):
    expires_at = serializers.DateTimeField(required=False)


class MessageOutput(serializers.Serializer[Any]):
    detail = serializers.CharField()


# --- What a clinician reads ----------------------------------------------------------------------
class CareScoreOutput(serializers.Serializer[Any]):
    status = serializers.CharField()
    points = serializers.IntegerField()
    training_load = serializers.FloatField()


class CareWorkoutOutput(serializers.Serializer[Any]):
    """A row of ``selectors.patient_workouts``: the workout and its score (null until scored)."""

    id = serializers.IntegerField()
    sport = serializers.ChoiceField(choices=Sport.choices)
    indoor = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=WorkoutStatus.choices)
    score = serializers.SerializerMethodField()

    @extend_schema_field(CareScoreOutput(allow_null=True))
    def get_score(self, row: dict[str, Any]) -> dict[str, Any] | None:
        if row["score__status"] is None:
            return None
        return {
            "status": row["score__status"],
            "points": row["score__points"],
            "training_load": row["score__training_load"],
        }


class CareWorkoutSamplesOutput(serializers.Serializer[Any]):
    workout = CareWorkoutOutput()
    samples = serializers.ListField(child=serializers.DictField())


class HrvOutput(serializers.Serializer[Any]):
    workout_id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    sport = serializers.CharField()
    rmssd_ms = serializers.FloatField(allow_null=True)
    sdnn_ms = serializers.FloatField(allow_null=True)


class ClassMetricsOutput(serializers.Serializer[Any]):
    attendance_id = serializers.IntegerField()
    class_title = serializers.CharField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    metrics = serializers.DictField()


class PhysiologyOutput(serializers.Serializer[Any]):
    birth_year = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField(allow_null=True)
    weight_kg = serializers.FloatField(allow_null=True)
    resting_heart_rate = serializers.IntegerField(allow_null=True)
    max_heart_rate = serializers.IntegerField(allow_null=True)
    lactate_threshold_heart_rate = serializers.IntegerField(allow_null=True)


class NoteInput(serializers.Serializer[Any]):
    appointment_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The appointment this note follows (one of yours with this patient).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    plan = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class NoteVersionOutput(serializers.ModelSerializer[ConsultationNoteVersion]):
    reason = serializers.CharField(default="")
    findings = serializers.CharField(default="")
    plan = serializers.CharField(default="")
    follow_up = serializers.CharField(default="")
    amended = serializers.SerializerMethodField(
        help_text="True for a version a later one amends: kept, shown as amended."
    )

    class Meta:
        model = ConsultationNoteVersion
        fields = ["number", "reason", "findings", "plan", "follow_up", "created_at", "amended"]

    def get_amended(self, obj: ConsultationNoteVersion) -> bool:
        latest: dict[int, int] = self.context["latest"]
        return obj.number < latest.get(obj.note_id, obj.number)

    def to_representation(self, instance: ConsultationNoteVersion) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {key: "" if value is None else value for key, value in data.items()}


class NoteOutput(serializers.ModelSerializer[ConsultationNote]):
    author = serializers.CharField(source="author_name")
    patient_id = serializers.IntegerField(source="relationship.patient_id")
    versions = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationNote
        fields = ["id", "patient_id", "author", "appointment_id", "created_at", "versions"]

    @extend_schema_field(NoteVersionOutput(many=True))
    def get_versions(self, obj: ConsultationNote) -> Any:
        versions = list(obj.versions.all())
        latest = {obj.pk: max((v.number for v in versions), default=0)}
        return NoteVersionOutput(versions, many=True, context={"latest": latest}).data


class AlertOutput(serializers.Serializer[Any]):
    kind = serializers.CharField(
        help_text="What happened: grant_revoked, grant_expiring, appointment_cancelled; from "
        "rehabilitation rehab_ceiling_exceeded, rehab_pain_stop, rehab_missed_sessions."
    )
    patient_id = serializers.IntegerField()
    patient_name = serializers.CharField()
    at = serializers.DateTimeField(help_text="When it happened, or will (an expiry).")
    message = serializers.CharField()
    about_at = serializers.DateTimeField(
        allow_null=True, help_text="The time it concerns: an appointment's start, an expiry."
    )
