"""The shapes of the activity-file API's responses, for the OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from devices.services import ImportSummary


class ImportSummaryOutput(serializers.Serializer[ImportSummary]):
    workout_id = serializers.IntegerField()
    format = serializers.CharField(help_text="fit, gpx, tcx or csv")
    sport = serializers.CharField()
    indoor = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    duration_s = serializers.FloatField(help_text="elapsed, first record to last")
    timer_s = serializers.FloatField(help_text="elapsed minus the timer's pauses")
    pauses = serializers.IntegerField()
    laps = serializers.IntegerField()
    samples = serializers.IntegerField()
    distance_m = serializers.FloatField(
        allow_null=True, help_text="the device's counter, else the track's length"
    )
    avg_hr = serializers.FloatField(allow_null=True)
    rr_intervals = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
