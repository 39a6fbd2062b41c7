"""Per-account sign-in lockout (django-axes): whose account an attempt names, what a locked-out
person is told, and the owner's notice.

Axes counts failed sign-ins per account (whatever address they come from) on every path that calls
``django.contrib.auth.authenticate``: the API sign-in, the token sign-in and ``/admin/login/``.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.conf import settings
from django.db.models import Sum, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape

from wellness.core.errors import TooManyRequests
from wellness.core.rest import too_many_requests_body
from wellness.core.transactions import enqueue_on_commit, notify_on_commit
from wellness.people.models import AccountLockout, User
from wellness.people.tasks import account_lockout_email_task


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt names: the API sends ``email``, the admin form ``username``.

    Axes asks for it before it needs the lock's length, so it is kept on the request for
    :func:`lockout_cool_off`, which axes calls with the request alone."""
    given = credentials or {}
    name = given.get("email") or given.get("username")
    if not name and request is not None:
        name = request.POST.get("username")
    account = str(name).strip().lower() if name else None
    if request is not None:
        request.wellness_lockout_account = account  # type: ignore[attr-defined]
    return account


def cool_off_for(*, account: str | None, at: dt.datetime | None = None) -> dt.timedelta:
    """How long a lock of ``account`` lasts now: the first length, doubled for each further lock of
    it within the back-off window (this one counted once it happened), capped."""
    base: dt.timedelta = settings.WELLVERSE_LOCKOUT_COOL_OFF
    if not account:
        return base
    since = (at or timezone.now()) - settings.WELLVERSE_LOCKOUT_BACKOFF_WINDOW
    locks = AccountLockout.objects.filter(email=account, locked_at__gte=since).count()
    cap: dt.timedelta = settings.WELLVERSE_LOCKOUT_MAX_COOL_OFF
    # Bounded shift: the doubling reaches any sensible cap long before 32.
    doublings: int = min(max(locks - 1, 0), 32)
    return min(base * (1 << doublings), cap)


def lockout_cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """``AXES_COOLOFF_TIME``: the lock length of the account this request names."""
    return cool_off_for(account=getattr(request, "wellness_lockout_account", None))


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler (``AXES_HANDLER``) without the writes a clean sign-in does not
    need: when the check before the password counted no recent failure for the account or the
    address, a successful sign-in has nothing to reset, so it skips axes' clean-up and reset
    (three queries and three transactions; the failure path still cleans up)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        if self._no_attempt_within_longest_lock(request, credentials):
            failures = 0
        else:
            failures = int(super().get_failures(request, credentials))
        request.wellness_lockout_failures = failures  # type: ignore[attr-defined]
        return failures

    def _no_attempt_within_longest_lock(
        self, request: HttpRequest, credentials: dict[str, Any] | None
    ) -> bool:
        """One query for the common case: no failure of this account or address within the longest
        lock there can be means none within the current one, so the lock's length (a query of
        its own) and the per-parameter sums are not needed."""
        at = getattr(request, "axes_attempt_time", None) or timezone.now()
        since = at - settings.WELLVERSE_LOCKOUT_MAX_COOL_OFF
        attempts = reduce(or_, self.filter_user_attempts(request, credentials))
        return not attempts.filter(attempt_time__gte=since).exists()

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        if getattr(request, "wellness_lockout_failures", None) == 0:
            return
        super().user_logged_in(sender, request, user, **kwargs)


def account_locked(request: HttpRequest, *, email: str) -> bool:
    """Whether sign-ins naming this account are refused now (for steps after the password)."""
    return bool(AxesProxyHandler.is_locked(request, credentials={"email": email}))


def account_locked_error(request: HttpRequest | None = None) -> TooManyRequests:
    """The answer to a locked-out attempt; every attempt restarts the wait, so it runs from now."""
    seconds = int(lockout_cool_off(request).total_seconds())
    until = timezone.now() + dt.timedelta(seconds=seconds)
    return TooManyRequests(
        "Too many wrong passwords: signing in is locked until "
        f"{until:%Y-%m-%d %H:%M} UTC ({_duration(seconds)}). Every attempt before then restarts "
        "the wait.",
        code="account_locked",
        retry_after_seconds=seconds,
    )


def _duration(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} minutes"
    return f"{hours} hours" if not minutes else f"{hours} hours {minutes} minutes"


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Axes' response to a locked-out attempt: the API's JSON error, a short page elsewhere."""
    error = account_locked_error(request)
    headers = {"Retry-After": str(error.retry_after_seconds)}
    if request.path.startswith("/api/"):
        return JsonResponse(too_many_requests_body(error), status=429, headers=headers)
    page = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Signing in is locked</title>'
        f"<main><h1>Signing in is locked</h1><p>{escape(error.message)}</p></main></html>"
    )
    return HttpResponse(page, status=429, headers=headers)


def account_lockout_notify(*, email: str, ip_address: str, minutes: int) -> None:
    """Tell the owner (notification socket and email) that their account was just locked."""
    user = User.objects.filter(email=email).only("pk").first()
    if user is None:
        return  # unknown addresses lock the same way, so the response reveals nothing
    notify_on_commit(
        user_id=user.pk,
        event={"type": "account_locked", "minutes": minutes, "ip_address": ip_address},
    )
    enqueue_on_commit(account_lockout_email_task, user.pk, minutes, ip_address)


def account_lock_record(*, email: str) -> dt.timedelta:
    """Record that ``email`` just locked and make its failed attempts last the (longer) new lock:
    axes dated them by the lock length before this one counted."""
    AccountLockout.objects.create(email=email)
    cool_off = cool_off_for(account=email)
    AccessAttemptExpiration.objects.filter(access_attempt__username=email).update(
        expires_at=Greatest("expires_at", Value(timezone.now() + cool_off))
    )
    return cool_off


def on_user_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    """Axes' ``user_locked_out``: sent on every failure past either limit; record the lock and
    notify the owner once, as the account's own count reaches it (not when only the address is
    locked)."""
    if not username:
        return
    failures = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    if failures == settings.AXES_FAILURE_LIMIT:
        cool_off = account_lock_record(email=username)
        account_lockout_notify(
            email=username, ip_address=ip_address, minutes=int(cool_off.total_seconds()) // 60
        )
