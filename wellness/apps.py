from django.apps import AppConfig


class WellnessConfig(AppConfig):
    name = "wellness"
    verbose_name = "Wellness"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.conf import settings
        from django.urls import register_converter

        import wellness.core.sql  # noqa: F401  (registers the ``any_of`` lookup on every field)
        from wellness.core import privacy
        from wellness.core.converters import DatabaseId
        from wellness.core.threads import blas_threads_limit
        from wellness.people import roles
        from wellness.people.lockout import on_user_locked_out
        from wellness.scoring.privacy import scores_erase, scores_export
        from wellness.workouts.privacy import workouts_erase, workouts_export

        blas_threads_limit(settings.WELLVERSE_BLAS_THREADS)
        # Registered before any URLconf is loaded, for every app's ``<dbid:...>`` routes.
        register_converter(DatabaseId, "dbid")

        privacy.register_exporter("workouts", workouts_export)
        privacy.register_exporter("scoring", scores_export)
        # Before "workouts": the scores and XP go with the workouts they were derived from.
        privacy.register_health_data_eraser("scores", scores_erase)
        privacy.register_health_data_eraser("workouts", workouts_erase)

        # Axes reports a lock only by this signal; the owner's notice is ours (people/lockout.py).
        user_locked_out.connect(on_user_locked_out, dispatch_uid="wellness-lockout-notice")

        # Losing staff closes the sockets opened as staff (people/roles.py).
        roles.register_role(roles.STAFF, roles.staff_remove)
