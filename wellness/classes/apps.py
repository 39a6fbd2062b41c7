from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "wellness.classes"
    label = "classes"
    verbose_name = "Classes"

    def ready(self) -> None:
        from wellness import privacy
        from wellness.classes import selectors

        privacy.register_exporter("classes", selectors.classes_export)
        # Live heart rate shared with a class is relayed, never stored; the only health data here
        # is the per-class sharing choice, which says nothing about the body, so nothing to erase.
