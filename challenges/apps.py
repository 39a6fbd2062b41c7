from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"

    def ready(self) -> None:
        from challenges import privacy as contributions
        from challenges import services
        from wellness.core import privacy
        from wellness.people.roles import register_role
        from wellness.scoring import handoff

        privacy.register_health_data_eraser(
            "challenges", contributions.challenges_health_data_erase
        )
        privacy.register_exporter("challenges", contributions.challenges_export)
        handoff.register_receiver("challenges", services.workouts_scored_apply)
        register_role(services.ORGANIZER_ROLE, services.organizer_remove)
