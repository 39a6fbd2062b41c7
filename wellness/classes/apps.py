from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "wellness.classes"
    label = "classes"
    verbose_name = "Classes"

    def ready(self) -> None:
        from wellness.classes import selectors, services
        from wellness.core import privacy
        from wellness.people.twofactor import register_two_factor_role
        from wellness.scoring import contributions

        privacy.register_exporter("classes", selectors.classes_export)
        # Live heart rate shared with a class is relayed, never stored. The health data here are
        # the class metrics of attendances (time in zone, HRV); the workouts have their own eraser.
        privacy.register_health_data_eraser("classes", services.attendances_erase)
        contributions.register_mindful_minutes("classes", selectors.class_mindful_minutes)
        contributions.register_score_view_part("classes", selectors.workout_class_part)
        # Instructors see class members' live heart rate.
        register_two_factor_role("instructor", selectors.is_instructor)
