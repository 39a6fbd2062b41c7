from django.apps import AppConfig


class WorldsConfig(AppConfig):
    name = "worlds"

    def ready(self) -> None:
        from wellness.core import privacy
        from wellness.scoring import handoff
        from worlds import privacy as worlds_privacy
        from worlds import services

        privacy.register_exporter("worlds", worlds_privacy.export)
        # Avatar sessions are live workout data (speed, position from the person's sensors).
        privacy.register_health_data_eraser("worlds.sessions", worlds_privacy.erase_sessions)
        # Journey progress is derived from scored workouts, so it is health data too.
        privacy.register_health_data_eraser("worlds.journeys", worlds_privacy.erase_journeys)
        privacy.register_account_releaser("worlds.stages", worlds_privacy.release_stage_worlds)
        handoff.register_receiver("worlds", services.journeys_advance_many)
