"""The shapes of the score API's responses, for the OpenAPI schema (the selectors' TypedDicts)."""

from __future__ import annotations

from rest_framework import serializers

from wellness.scoring.selectors import (
    BestEffortView,
    LevelProgress,
    PerformanceSeries,
    PersonalRecord,
    ScoreFlag,
    ScoreView,
)


class ScoreFlagOutput(serializers.Serializer[ScoreFlag]):
    code = serializers.CharField()
    reason = serializers.CharField()


class BestEffortViewOutput(serializers.Serializer[BestEffortView]):
    kind = serializers.CharField(help_text="time or power")
    name = serializers.CharField()
    value = serializers.FloatField(help_text="seconds for a time, watts for a power")
    record = serializers.BooleanField(help_text="the person's best to date")


class WorkoutScoreOutput(serializers.Serializer[ScoreView]):
    """Only ``workout_id`` and ``status`` until the workout is scored; features add keys of their
    own (``class`` for a workout taken in a class)."""

    workout_id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, scored or unscorable")
    reason = serializers.CharField(required=False)
    reason_code = serializers.CharField(required=False)
    points = serializers.IntegerField(required=False)
    counts_for_leaderboards = serializers.BooleanField(required=False)
    flags = ScoreFlagOutput(many=True, required=False)
    scored_at = serializers.DateTimeField(required=False)
    metrics = serializers.DictField(required=False)
    explanations = serializers.DictField(child=serializers.CharField(), required=False)
    records = BestEffortViewOutput(many=True, required=False)


class PersonalRecordOutput(serializers.Serializer[PersonalRecord]):
    sport = serializers.CharField()
    kind = serializers.CharField(help_text="time or power")
    name = serializers.CharField(help_text="the distance or duration, e.g. 5 km or 20 min")
    value = serializers.FloatField(help_text="seconds for a time, watts for a power")
    workout_id = serializers.IntegerField()
    achieved_at = serializers.DateTimeField()


class PersonalRecordsOutput(serializers.Serializer[dict[str, list[PersonalRecord]]]):
    records = PersonalRecordOutput(many=True)


class LevelProgressOutput(serializers.Serializer[LevelProgress]):
    xp = serializers.IntegerField()
    level = serializers.IntegerField()
    level_xp = serializers.IntegerField()
    next_level_xp = serializers.IntegerField()


class PerformanceSeriesOutput(serializers.Serializer[PerformanceSeries]):
    dates = serializers.ListField(child=serializers.DateField())
    load = serializers.ListField(child=serializers.FloatField())
    fitness = serializers.ListField(child=serializers.FloatField())
    fatigue = serializers.ListField(child=serializers.FloatField())
    form = serializers.ListField(child=serializers.FloatField())
