from django.apps import AppConfig


class WellnessConfig(AppConfig):
    name = "wellness"
    verbose_name = "Wellness"

    def ready(self) -> None:
        from wellness import privacy, selectors, services

        privacy.register_exporter("workouts", selectors.workouts_export)
        privacy.register_health_data_eraser("workouts", services.workouts_erase)
