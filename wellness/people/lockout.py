"""Per-account sign-in lockout (django-axes): whose account an attempt names, what a locked-out
person is told, and the owner's notice.

Axes counts failed sign-ins per account (whatever address they come from) on every path that calls
``django.contrib.auth.authenticate``: the API sign-in, the token sign-in and ``/admin/login/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape

from wellness.core.errors import TooManyRequests
from wellness.core.rest import too_many_requests_body
from wellness.core.transactions import enqueue_on_commit, notify_on_commit
from wellness.people.models import User
from wellness.people.tasks import account_lockout_email_task


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt names: the API sends ``email``, the admin form ``username``."""
    given = credentials or {}
    name = given.get("email") or given.get("username")
    if not name and request is not None:
        name = request.POST.get("username")
    return str(name).strip().lower() if name else None


def lockout_seconds() -> int:
    """How long a lock lasts from the latest failed attempt (every attempt while locked restarts it)."""
    cool_off = get_cool_off()
    assert cool_off is not None
    return int(cool_off.total_seconds())


def account_locked_error() -> TooManyRequests:
    seconds = lockout_seconds()
    until = timezone.now() + dt.timedelta(seconds=seconds)
    return TooManyRequests(
        "Too many wrong passwords: signing in is locked until "
        f"{until:%H:%M} UTC ({seconds // 60} minutes). Every attempt before then restarts the wait.",
        code="account_locked",
        retry_after_seconds=seconds,
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Axes' response to a locked-out attempt: the API's JSON error, a short page elsewhere."""
    error = account_locked_error()
    headers = {"Retry-After": str(error.retry_after_seconds)}
    if request.path.startswith("/api/"):
        return JsonResponse(too_many_requests_body(error), status=429, headers=headers)
    page = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Signing in is locked</title>'
        f"<main><h1>Signing in is locked</h1><p>{escape(error.message)}</p></main></html>"
    )
    return HttpResponse(page, status=429, headers=headers)


def account_lockout_notify(*, email: str, ip_address: str) -> None:
    """Tell the owner (notification socket and email) that their account was just locked."""
    user = User.objects.filter(email=email).only("pk").first()
    if user is None:
        return  # unknown addresses lock the same way, so the response reveals nothing
    minutes = lockout_seconds() // 60
    notify_on_commit(
        user_id=user.pk,
        event={"type": "account_locked", "minutes": minutes, "ip_address": ip_address},
    )
    enqueue_on_commit(account_lockout_email_task, user.pk, minutes, ip_address)


def on_user_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    """Axes' ``user_locked_out``: sent on every failure past either limit; notify the owner once,
    as the account's own count reaches it (not when only the address is locked)."""
    if not username:
        return
    failures = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    if failures == settings.AXES_FAILURE_LIMIT:
        account_lockout_notify(email=username, ip_address=ip_address)
