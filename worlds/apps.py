from django.apps import AppConfig


class WorldsConfig(AppConfig):
    name = "worlds"

    def ready(self) -> None:
        from wellness import privacy
        from worlds import privacy as worlds_privacy

        privacy.register_exporter("worlds", worlds_privacy.export)
        # Avatar sessions are live workout data (speed, position from the person's sensors).
        privacy.register_health_data_eraser("worlds.sessions", worlds_privacy.erase_sessions)
