"""Input validation and output shapes of the worlds API; no logic."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from worlds.models import (
    AvatarSession,
    Biome,
    GroupRun,
    Journey,
    JourneyProgress,
    Landmark,
    Postcard,
    SessionEvent,
    World,
    WorldVisibility,
)
from worlds.selectors import AvatarView, GroupRunResult

# Ids stored in PostgreSQL bigint columns; larger ones would fail in the database, not here.
BIGINT_MAX = 2**63 - 1


@extend_schema_field(
    {"type": "string", "description": "`public`, or `private`: only the owner and invitees."}
)
class WorldVisibilityField(serializers.ChoiceField):
    """Described without an enum: the schema's enum named ``visibility`` is the profile's."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=WorldVisibility.choices, **kwargs)


class LandmarkInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    distance_m = serializers.FloatField(min_value=0)
    story = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class WorldInput(serializers.Serializer[Any]):
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    biome = serializers.ChoiceField(choices=Biome.choices, default=Biome.COUNTRYSIDE)
    scenery = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    visibility = WorldVisibilityField(default=WorldVisibility.PUBLIC)
    laps = serializers.IntegerField(min_value=1, max_value=100, default=1)
    landmarks = LandmarkInput(many=True, required=False, default=list)


class InvitationInput(serializers.Serializer[Any]):
    email = serializers.EmailField()


class LandmarkOutput(serializers.ModelSerializer[Landmark]):
    class Meta:
        model = Landmark
        fields = ["id", "name", "distance_m", "story"]


class WorldOutput(serializers.ModelSerializer[World]):
    route = serializers.SerializerMethodField()
    landmarks = LandmarkOutput(many=True, read_only=True)
    visibility = WorldVisibilityField(read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = World
        fields = [
            "id",
            "name",
            "biome",
            "scenery",
            "visibility",
            "laps",
            "route",
            "landmarks",
            "mine",
        ]

    def get_route(self, world: World) -> dict[str, Any]:
        route = world.route
        return {
            "name": route.name,
            "distance_m": round(route.distance_m, 1),
            "elevation_gain_m": round(route.elevation_gain_m, 1),
            "has_elevation": route.has_elevation,
            "notes": route.notes,
        }

    def get_mine(self, world: World) -> bool:
        request = self.context.get("request")
        return request is not None and world.owner_id == request.user.pk


class SessionInput(serializers.Serializer[Any]):
    world_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    workout_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    sport = serializers.ChoiceField(choices=["run", "walk", "ride"])
    indoor = serializers.BooleanField(default=False)
    group_run_id = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, required=False, allow_null=True, default=None
    )


class SessionEventOutput(serializers.ModelSerializer[SessionEvent]):
    class Meta:
        model = SessionEvent
        fields = ["kind", "t", "distance_m", "data"]


class SessionOutput(serializers.ModelSerializer[AvatarSession]):
    class Meta:
        model = AvatarSession
        fields = [
            "id", "world_id", "workout_id", "sport", "indoor", "group_run_id", "status",
            "distance_m", "speed_mps", "gradient", "last_t", "started_at", "finished_at",
            "finish_time_s",
        ]  # fmt: skip


class SessionDetailOutput(SessionOutput):
    events = SessionEventOutput(many=True, read_only=True)

    class Meta(SessionOutput.Meta):
        fields = [*SessionOutput.Meta.fields, "events"]


class GroupRunInput(serializers.Serializer[Any]):
    world_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    title = serializers.CharField(max_length=80)
    starts_at = serializers.DateTimeField()
    pen = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class GroupRunOutput(serializers.ModelSerializer[GroupRun]):
    participants = serializers.SerializerMethodField()

    class Meta:
        model = GroupRun
        fields = ["id", "world_id", "title", "starts_at", "pen", "participants"]

    def get_participants(self, run: GroupRun) -> int:
        return run.participants.count()


class GroupRunResultOutput(serializers.Serializer[GroupRunResult]):
    position = serializers.IntegerField(allow_null=True, help_text="null while still out there")
    name = serializers.CharField()
    finish_time_s = serializers.FloatField(allow_null=True)
    distance_m = serializers.FloatField()


class GroupRunDetailOutput(GroupRunOutput):
    results = GroupRunResultOutput(many=True)

    class Meta(GroupRunOutput.Meta):
        fields = [*GroupRunOutput.Meta.fields, "results"]


class AvatarOutput(serializers.Serializer[AvatarView]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sport = serializers.CharField()
    d = serializers.FloatField(help_text="Metres along the course.")
    lap = serializers.IntegerField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    ele = serializers.FloatField()
    grade = serializers.FloatField()
    v = serializers.FloatField(help_text="Metres per second at t.")
    t = serializers.FloatField(allow_null=True, help_text="UNIX time of the last sample applied.")
    finished = serializers.BooleanField()


class WorldAvatarsOutput(serializers.Serializer[Any]):
    avatars = AvatarOutput(many=True)


class WorldRouteOutput(serializers.Serializer[Any]):
    world_id = serializers.IntegerField()
    distance_m = serializers.FloatField()
    laps = serializers.IntegerField()
    has_elevation = serializers.BooleanField()
    notes = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="One row per point, in the order of columns.",
    )
    landmarks = LandmarkOutput(many=True)


class JourneyJoinInput(serializers.Serializer[Any]):
    community_id = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, required=False, allow_null=True, default=None
    )


class JourneyOutput(serializers.ModelSerializer[Journey]):
    stages = serializers.SerializerMethodField()

    class Meta:
        model = Journey
        fields = ["id", "name", "description", "stages"]

    def get_stages(self, journey: Journey) -> list[dict[str, Any]]:
        return [
            {"order": s.order, "world_id": s.world_id, "name": s.world.name,
             "distance_m": round(s.world.route.distance_m, 1)}
            for s in journey.stages.all()
        ]  # fmt: skip


class JourneyProgressOutput(serializers.ModelSerializer[JourneyProgress]):
    journey_name = serializers.CharField(source="journey.name")

    class Meta:
        model = JourneyProgress
        fields = [
            "id", "journey_id", "journey_name", "distance_m", "travels_with_community_id",
            "joined_at", "completed_at",
        ]  # fmt: skip


class PostcardOutput(serializers.ModelSerializer[Postcard]):
    landmark = serializers.CharField(source="landmark.name")
    story = serializers.CharField(source="landmark.story")
    journey_id = serializers.IntegerField(source="progress.journey_id")

    class Meta:
        model = Postcard
        fields = [
            "id", "journey_id", "landmark", "story", "journey_distance_m", "elevation_profile",
            "unlocked_at",
        ]  # fmt: skip
