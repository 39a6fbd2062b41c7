from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "wellness.classes"
    label = "classes"
    verbose_name = "Classes"

    def ready(self) -> None:
        from wellness.classes import jobs, selectors, services, tasks
        from wellness.classes import privacy as classes_privacy
        from wellness.core import privacy
        from wellness.core.jobs import register_job
        from wellness.people.roles import register_role
        from wellness.people.twofactor import register_two_factor_role
        from wellness.scoring import contributions

        privacy.register_exporter("classes", classes_privacy.classes_export)
        # Live heart rate shared with a class is relayed, never stored. The health data here are
        # the class metrics of attendances (time in zone, HRV); the workouts have their own eraser.
        privacy.register_health_data_eraser("classes", classes_privacy.attendances_erase)
        privacy.register_account_releaser("classes", classes_privacy.account_release)
        contributions.register_mindful_minutes("classes", selectors.class_mindful_minutes)
        contributions.register_score_view_part("classes", selectors.workout_class_part)
        register_job(jobs.BOOKING_REMIND_JOB, tasks.booking_remind_task)
        register_job(jobs.ATTENDANCES_COMPLETE_JOB, tasks.occurrence_attendances_complete_task)
        register_job(jobs.SESSION_END_OVERDUE_JOB, tasks.session_end_overdue_task)
        # Instructors see class members' live heart rate.
        register_two_factor_role(services.INSTRUCTOR_ROLE, selectors.is_instructor)
        # Revoking it closes the class sockets opened as instructor.
        register_role(services.INSTRUCTOR_ROLE, services.instructor_remove)
