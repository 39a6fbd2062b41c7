from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "wellness.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        from wellness.care import selectors
        from wellness.care.appointments import jobs as appointment_jobs
        from wellness.care.appointments import tasks as appointment_tasks
        from wellness.core.jobs import register_job
        from wellness.people.twofactor import register_two_factor_role

        # Clinicians read other people's health data: two factors from the moment they hold a profile.
        register_two_factor_role("clinician", selectors.is_clinician)
        register_job(
            appointment_jobs.APPOINTMENT_REMIND_JOB, appointment_tasks.appointment_remind_task
        )
