"""Care: organisations, clinicians, care relationships and the patient's sharing grants."""

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "wellness.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        from wellness.care import alerts, selectors, services, tasks
        from wellness.care import privacy as care_privacy
        from wellness.care.appointments import jobs as appointment_jobs
        from wellness.care.appointments import services as appointment_services
        from wellness.care.appointments import tasks as appointment_tasks
        from wellness.care.rehabilitation import privacy as rehabilitation_privacy
        from wellness.care.rehabilitation import selectors as rehabilitation_selectors
        from wellness.care.rooms import services as room_services
        from wellness.core import privacy
        from wellness.core.jobs import register_job
        from wellness.people.twofactor import register_two_factor_role

        # Clinicians read other people's health data: two factors from the moment they hold a profile.
        register_two_factor_role("clinician", selectors.is_clinician)
        privacy.register_exporter("care", care_privacy.care_export)
        # Withdrawing health-data consent ends every grant the person gave.
        privacy.register_consent_withdrawal_handler("care", services.care_grants_end_for_patient)
        # Consultation notes are erased with the patient's health data (unless an organisation must
        # keep them, WELLVERSE_CARE_NOTES_RETENTION_DAYS), which also outlive an account.
        privacy.register_health_data_eraser("care_notes", services.consultation_notes_erase)
        privacy.register_account_releaser("care_notes", services.consultation_notes_release)
        # Rehabilitation programs and sessions (pain, effort, heart-rate limits) are health data.
        privacy.register_exporter("rehabilitation", rehabilitation_privacy.rehabilitation_export)
        privacy.register_health_data_eraser(
            "rehabilitation", rehabilitation_privacy.rehabilitation_erase
        )
        register_job(services.GRANT_EXPIRE_JOB, tasks.sharing_grant_expire_task)
        # The clinician dashboard's recent alerts: what care itself knows needs attention.
        alerts.register_alert_source("sharing", alerts.sharing_alerts)
        alerts.register_alert_source("cancellations", alerts.cancellation_alerts)
        alerts.register_alert_source(
            "rehabilitation", rehabilitation_selectors.rehab_dashboard_alerts
        )
        register_job(
            appointment_jobs.APPOINTMENT_REMIND_JOB, appointment_tasks.appointment_remind_task
        )
        # Care that ends cancels the upcoming appointments and closes an open consultation room.
        services.register_grant_end_listener(
            "appointments", appointment_services.appointments_on_sight_ended
        )
        # A clinician whose sight of the patient's samples ends stops seeing their live heart rate.
        services.register_grant_end_listener("room_live_hr", room_services.live_hr_on_sight_ended)
