"""Side effects that must only happen once the data they describe is committed.

A Celery task or a WebSocket broadcast sent inside an open transaction can run before the commit
(the worker reads nothing) or announce something that is then rolled back; both go through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec

from asgiref.sync import async_to_sync
from celery import Task
from channels.layers import get_channel_layer
from django.db import transaction

from wellness.core.groups import user_group

P = ParamSpec("P")


def enqueue_on_commit(task: Task[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
    """Queue ``task`` with these arguments after the current transaction commits (now if none)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def broadcast(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to a channel-layer group now. At-most-once: for live display, not records."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def broadcast_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to a channel-layer group after the current transaction commits."""
    transaction.on_commit(lambda: broadcast(group, message))


def notification(user_id: int, event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The ``(group, message)`` that shows ``event`` on every open notification socket of a person."""
    return user_group(user_id), {"type": "notify", "event": event}


def notify_on_commit(*, user_id: int, event: dict[str, Any]) -> None:
    """Show ``event`` on the person's notification sockets once the current transaction commits."""
    broadcast_on_commit(*notification(user_id, event))


def broadcast_many(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send each ``(group, message)`` now, in order, in one event loop (see :func:`broadcast`).

    Outside an event loop ``async_to_sync`` starts a thread and a loop per call, and the Redis
    layers open a connection per loop: ~6 ms each. A chunk of work that announces many things
    (a scoring chunk's level-ups and badges) pays that once.
    """
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all() -> None:
        for group, message in messages:
            await layer.group_send(group, message)

    async_to_sync(send_all)()


# The outbox of the innermost ``broadcasts_together`` block, if any.
_outbox: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar("_outbox", default=None)


def broadcast_many_on_commit(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send these ``(group, message)`` pairs, in order, after the current transaction commits."""
    if not messages:
        return
    batch = list(messages)
    box = _outbox.get()
    if box is None:
        transaction.on_commit(lambda: broadcast_many(batch))
    else:
        # Still one commit hook per batch, so a batch queued in a savepoint that is rolled back is
        # dropped with it, as Django drops that savepoint's hooks; it only fills the outbox.
        transaction.on_commit(lambda: box.extend(batch))


@contextmanager
def broadcasts_together() -> Iterator[None]:
    """Inside a transaction: the batches queued with :func:`broadcast_many_on_commit` in this block
    are sent after the commit in one :func:`broadcast_many` (one event loop, not one per batch).

    The send is registered on leaving the block, after every batch's hook, so commit hooks (which
    run in the order they were registered) have filled the outbox before it is sent.
    """
    box: list[tuple[str, dict[str, Any]]] = []
    token = _outbox.set(box)
    try:
        yield
    finally:
        _outbox.reset(token)
    transaction.on_commit(lambda: broadcast_many(box))
