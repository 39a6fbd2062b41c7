"""Input validation and output shapes of the workouts and sync API. No domain logic here."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from wellness.workouts.models import Sport, Workout, WorkoutSource


class WorkoutOutput(serializers.ModelSerializer[Workout]):
    class Meta:
        model = Workout
        fields = [
            "id",
            "sport",
            "indoor",
            "started_at",
            "ended_at",
            "source",
            "status",
            "client_id",
        ]


class WorkoutStartInput(serializers.Serializer[Any]):
    sport = serializers.ChoiceField(choices=Sport.choices)
    indoor = serializers.BooleanField(default=False)
    started_at = serializers.DateTimeField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[WorkoutSource.BRIDGE, WorkoutSource.COMPANION], default=WorkoutSource.COMPANION
    )
    client_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class WorkoutFinishInput(serializers.Serializer[Any]):
    ended_at = serializers.DateTimeField(required=False)


class SampleBatchInput(serializers.Serializer[Any]):
    """Documentation only: the sync view validates the batch in the service, for speed."""

    device = serializers.CharField(max_length=64)
    seq = serializers.IntegerField(min_value=1)
    samples = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="The batch as sample objects (devices/README.md); or send columns instead.",
    )
    columns = serializers.DictField(
        child=serializers.ListField(),
        required=False,
        help_text=(
            "The batch as columns, what the phone companion sends: one list per key, each as long "
            "as t, null where not measured; rr all intervals with rr_counts per sample."
        ),
    )


class SampleBatchStoredOutput(serializers.Serializer[Any]):
    workout_id = serializers.IntegerField()
    device = serializers.CharField()
    seq = serializers.IntegerField()
    samples = serializers.IntegerField()
    stored = serializers.BooleanField(help_text="False when this batch was stored before.")


class SampleOutput(serializers.Serializer[Any]):
    """One sample in the shared format (devices/README.md): a key only where it was measured."""

    t = serializers.FloatField(help_text="seconds since the workout started")
    hr = serializers.FloatField(required=False, help_text="bpm")
    cadence = serializers.FloatField(required=False, help_text="rpm or steps per minute")
    speed = serializers.FloatField(required=False, help_text="m/s")
    distance = serializers.FloatField(required=False, help_text="m, cumulative")
    power = serializers.FloatField(required=False, help_text="W")
    altitude = serializers.FloatField(required=False, help_text="m")
    lat = serializers.FloatField(required=False)
    lon = serializers.FloatField(required=False)
    rr = serializers.ListField(
        child=serializers.FloatField(), required=False, help_text="RR intervals in ms"
    )


class WorkoutSamplesOutput(serializers.Serializer[Any]):
    workout_id = serializers.IntegerField()
    samples = SampleOutput(many=True)
