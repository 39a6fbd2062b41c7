"""Input validation and output shapes of the rehabilitation API. No domain logic here."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.care.models import (
    BodyRegion,
    Equipment,
    Exercise,
    RehabExerciseLog,
    RehabProgram,
    RehabProgramVersion,
    RehabSession,
)
from wellness.care.rehabilitation import plan
from wellness.care.rehabilitation.plan import POSITIONS

MAX_ID = 2**31 - 1


class ExerciseFilterInput(serializers.Serializer[Any]):
    region = serializers.ChoiceField(choices=BodyRegion.choices, required=False)
    equipment = serializers.ChoiceField(choices=Equipment.choices, required=False)
    position = serializers.ChoiceField(choices=POSITIONS, required=False)


class ExerciseInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    instructions = serializers.CharField(max_length=4000)
    body_region = serializers.ChoiceField(choices=BodyRegion.choices)
    equipment = serializers.ChoiceField(choices=Equipment.choices)
    positions = serializers.MultipleChoiceField(choices=POSITIONS, allow_empty=False)
    precautions = serializers.CharField(max_length=2000, required=False, default="")


class ExerciseOutput(serializers.ModelSerializer[Exercise]):
    positions = serializers.SerializerMethodField()
    illustration_url = serializers.SerializerMethodField()
    custom = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id", "slug", "name", "instructions", "body_region", "equipment", "positions",
            "precautions", "illustration_url", "custom", "organisation_id",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=POSITIONS)))
    def get_positions(self, exercise: Exercise) -> list[str]:
        return [p for p in POSITIONS if getattr(exercise, p)]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_illustration_url(self, exercise: Exercise) -> str | None:
        return static(exercise.illustration) if exercise.illustration else None

    def get_custom(self, exercise: Exercise) -> bool:
        return exercise.organisation_id is not None


# --- Programs: the plan's JSON, typed for the schema (the pure ``plan`` module validates it) ------
class ExerciseTargetOutput(serializers.Serializer[Any]):
    exercise_id = serializers.IntegerField()
    position = serializers.ChoiceField(choices=POSITIONS, required=False, allow_null=True)
    sets = serializers.IntegerField()
    reps = serializers.IntegerField(required=False, allow_null=True)
    hold_s = serializers.IntegerField(required=False, allow_null=True)
    duration_s = serializers.IntegerField(required=False, allow_null=True)
    rest_s = serializers.IntegerField()


class RehabSessionTemplateOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    exercises = ExerciseTargetOutput(many=True)


class RehabPhaseOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    weeks = serializers.IntegerField()
    sessions_per_week = serializers.IntegerField()
    sessions = RehabSessionTemplateOutput(many=True)


class RehabPlanOutput(serializers.Serializer[Any]):
    phases = RehabPhaseOutput(many=True)


class CeilingRuleOutput(serializers.Serializer[Any]):
    rule = serializers.ChoiceField(choices=plan.CEILING_RULES)
    bpm = serializers.IntegerField(required=False)
    percent = serializers.IntegerField(required=False)
    above_rest_bpm = serializers.IntegerField(required=False)


class TargetZoneOutput(serializers.Serializer[Any]):
    unit = serializers.ChoiceField(choices=plan.ZONE_UNITS)
    low = serializers.IntegerField()
    high = serializers.IntegerField()


class RehabLimitsOutput(serializers.Serializer[Any]):
    ceiling = CeilingRuleOutput()
    target_zone = TargetZoneOutput(required=False, allow_null=True)
    max_rpe = serializers.IntegerField()
    target_rpe = serializers.IntegerField()
    pain_stop = serializers.IntegerField()


class RehabProgressionOutput(serializers.Serializer[Any]):
    consecutive_sessions = serializers.IntegerField(required=False)
    max_pain = serializers.IntegerField(required=False)


class ProgramInput(serializers.Serializer[Any]):
    patient_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=120)
    plan = serializers.JSONField()
    limits = serializers.JSONField()
    progression = serializers.JSONField(required=False, default=None)


class ProgramReviseInput(serializers.Serializer[Any]):
    plan = serializers.JSONField(required=False, default=None)
    limits = serializers.JSONField(required=False, default=None)
    progression = serializers.JSONField(required=False, default=None)
    change_note = serializers.CharField(max_length=300, required=False, default="")


class ProgramVersionOutput(serializers.ModelSerializer[RehabProgramVersion]):
    plan = RehabPlanOutput()
    limits = RehabLimitsOutput()
    progression = RehabProgressionOutput()
    created_by_name = serializers.CharField(
        source="created_by.professional_name", default=None, allow_null=True
    )

    class Meta:
        model = RehabProgramVersion
        fields = [
            "id", "number", "plan", "limits", "progression", "change_note", "created_by_name",
            "created_at",
        ]  # fmt: skip


class ProgramOutput(serializers.ModelSerializer[RehabProgram]):
    """A program with its latest version, that version's exercises and today's ceiling
    (``context``: ``version``, ``ceiling``)."""

    therapist_name = serializers.CharField(
        source="therapist.professional_name", default=None, allow_null=True
    )
    version = serializers.SerializerMethodField()
    exercises = serializers.SerializerMethodField()
    ceiling_bpm = serializers.SerializerMethodField()
    ceiling_problem = serializers.SerializerMethodField()

    class Meta:
        model = RehabProgram
        fields = [
            "id", "patient_id", "title", "status", "therapist_name", "current_phase",
            "phase_started_at", "created_at", "version", "exercises", "ceiling_bpm",
            "ceiling_problem",
        ]  # fmt: skip

    @extend_schema_field(ProgramVersionOutput)
    def get_version(self, program: RehabProgram) -> dict[str, Any]:
        return dict(ProgramVersionOutput(self.context["version"]).data)

    @extend_schema_field(ExerciseOutput(many=True))
    def get_exercises(self, program: RehabProgram) -> list[Any]:
        exercises = self.context["version"].exercises.order_by("name", "id")
        return list(ExerciseOutput(exercises, many=True).data)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_ceiling_bpm(self, program: RehabProgram) -> int | None:
        return self.context["ceiling"].bpm  # type: ignore[no-any-return]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_ceiling_problem(self, program: RehabProgram) -> str | None:
        return self.context["ceiling"].problem  # type: ignore[no-any-return]


class ProgramSummaryOutput(serializers.ModelSerializer[RehabProgram]):
    therapist_name = serializers.CharField(
        source="therapist.professional_name", default=None, allow_null=True
    )

    class Meta:
        model = RehabProgram
        fields = [
            "id", "patient_id", "title", "status", "therapist_name", "current_phase",
            "phase_started_at", "created_at",
        ]  # fmt: skip


# --- Sessions ------------------------------------------------------------------------------------
class RehabSessionStartInput(serializers.Serializer[Any]):
    template = serializers.IntegerField(
        min_value=0, max_value=plan.MAX_SESSIONS_PER_PHASE, default=0
    )


class ExerciseLogInput(serializers.Serializer[Any]):
    position = serializers.IntegerField(min_value=0, max_value=plan.MAX_EXERCISES_PER_SESSION)
    sets_done = serializers.IntegerField(min_value=0, max_value=50)
    reps_done = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True, default=None
    )
    pain = serializers.IntegerField(min_value=0, max_value=10)
    rpe = serializers.IntegerField(min_value=0, max_value=10)


class ExerciseLogOutput(serializers.ModelSerializer[RehabExerciseLog]):
    class Meta:
        model = RehabExerciseLog
        fields = [
            "position", "exercise_id", "exercise_name", "sets_done", "reps_done", "pain", "rpe",
            "logged_at",
        ]  # fmt: skip


class RehabSessionOutput(serializers.ModelSerializer[RehabSession]):
    """A session with the targets of the version it was done under, its logs and its summary."""

    version_number = serializers.IntegerField(source="version.number")
    targets = serializers.SerializerMethodField()
    logs = ExerciseLogOutput(many=True)

    class Meta:
        model = RehabSession
        fields = [
            "id", "program_id", "version_number", "phase", "template", "workout_id", "status",
            "started_at", "ended_at", "stop_reason", "ceiling_bpm", "adherence",
            "time_above_ceiling_s", "peak_over_ceiling_bpm", "ceiling_crossings", "peak_pain",
            "peak_rpe", "advanced_phase", "targets", "logs",
        ]  # fmt: skip

    @extend_schema_field(ExerciseTargetOutput(many=True))
    def get_targets(self, session: RehabSession) -> list[Any]:
        phase = session.version.plan["phases"][session.phase]
        return list(
            ExerciseTargetOutput(phase["sessions"][session.template]["exercises"], many=True).data
        )


# --- Adherence and the therapist's overview --------------------------------------------------------
ALERT_KINDS = ("ceiling_exceeded", "pain_stop", "missed_sessions")


class AdherenceOutput(serializers.Serializer[Any]):
    week_done = serializers.IntegerField()
    week_planned = serializers.IntegerField()
    program_done = serializers.IntegerField()
    program_planned = serializers.IntegerField()
    planned_to_date = serializers.IntegerField()


class RehabAlertOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ALERT_KINDS)
    at = serializers.DateTimeField()
    session_id = serializers.IntegerField(allow_null=True)
    time_above_s = serializers.FloatField(allow_null=True)
    peak_over_bpm = serializers.FloatField(allow_null=True)
    pain = serializers.IntegerField(allow_null=True)
    pain_stop = serializers.IntegerField(allow_null=True)
    missed = serializers.IntegerField(allow_null=True)


class ProgramOverviewOutput(serializers.Serializer[Any]):
    patient_id = serializers.IntegerField()
    patient_name = serializers.CharField()
    program_id = serializers.IntegerField()
    program_title = serializers.CharField()
    current_phase = serializers.IntegerField()
    adherence = AdherenceOutput()
    last_session_at = serializers.DateTimeField(allow_null=True)
    last_pain = serializers.IntegerField(allow_null=True)
    last_rpe = serializers.IntegerField(allow_null=True)
    alerts = RehabAlertOutput(many=True)
