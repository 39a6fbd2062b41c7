"""Roles a person holds and loses: staff, a community's organizer, an instructor, and the roles
the care issues add (clinician, therapist, facilitator).

Losing a role closes the sockets the person opened while holding it (a class socket opened as its
instructor, any socket a staff member opened), in every server process, once the transaction
commits. A role's app registers how it is taken away (``register_role`` from its
``AppConfig.ready``); :func:`role_remove` takes it away and closes those sockets. A path that
ends a role as part of a larger change (leaving a community, an admin unticking "staff") makes
its own write and calls :func:`role_lost`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from wellness.people.models import User
from wellness.people.services import person_sockets_close

STAFF = "staff"

# ``remove(user, scope)`` takes the role away (within ``scope``, e.g. a community id, where the
# role has one) and says whether the person held it.
RoleRemover = Callable[[User, int | None], bool]

_removers: dict[str, RoleRemover] = {}


def register_role(name: str, remove: RoleRemover) -> None:
    _removers[name] = remove


def registered_roles() -> list[str]:
    return sorted(_removers)


def role_lost(*, user_id: int, role: str) -> None:
    """Close the sockets ``user_id`` opened while holding ``role`` (after the commit)."""
    person_sockets_close(user_id=user_id, reason="role_lost", role=role)


def role_remove(*, user: User, role: str, scope: int | None = None) -> bool:
    """Take ``role`` away from ``user`` and close the sockets it opened; False if not held."""
    try:
        remove = _removers[role]
    except KeyError:
        raise ValueError(f"No role {role!r} is registered.") from None
    with transaction.atomic():
        removed = remove(user, scope)
        if removed:
            role_lost(user_id=user.pk, role=role)
    return removed


def staff_remove(user: User, scope: int | None = None) -> bool:
    """The staff role: the staff and superuser flags."""
    return bool(
        User.objects.filter(pk=user.pk)
        .exclude(is_staff=False, is_superuser=False)
        .update(is_staff=False, is_superuser=False)
    )


def socket_roles(user: User) -> set[str]:
    """The account-wide roles a socket opened now holds (a feature adds its own, e.g. a class's
    instructor)."""
    return {STAFF} if user.is_staff or user.is_superuser else set()
