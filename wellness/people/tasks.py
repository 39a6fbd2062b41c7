"""Background work for the person: erasure after consent is withdrawn, the lockout email. Takes ids."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail

from wellness.people.erasure import health_data_erase
from wellness.people.models import User


# The name predates the sub-package: messages already queued must still find the task.
@shared_task(name="wellness.tasks.health_data_erase_task", acks_late=True)
def health_data_erase_task(user_id: int) -> None:
    health_data_erase(user_id=user_id)


@shared_task(name="wellness.people.tasks.account_lockout_email_task", acks_late=True)
def account_lockout_email_task(user_id: int, minutes: int, ip_address: str) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    send_mail(
        "Wellverse: signing in to your account is locked",
        f"Someone tried wrong passwords for your Wellverse account, most recently from "
        f"{ip_address}. Signing in is locked for {minutes} minutes from the latest attempt.\n\n"
        "If it was you, wait and try again. If not, your password held; consider turning on "
        "two-factor authentication.",
        None,
        [user.email],
    )
