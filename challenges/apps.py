from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"

    def ready(self) -> None:
        from challenges import services
        from wellness import privacy

        privacy.register_health_data_eraser("challenges", services.challenges_health_data_erase)
        privacy.register_exporter("challenges", services.challenges_export)
