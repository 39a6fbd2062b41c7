"""Input validation and output shapes of the rehabilitation API. No domain logic here."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.care.models import BodyRegion, Equipment, Exercise

POSITIONS = ("seated", "standing")


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
