"""Coalesced look-ups: many sockets' questions answered by one query each."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from pytest_django.fixtures import Settings

from wellness.core.coalesce import Coalescer, MicroBatcher, lookup_sync_to_async
from wellness.people.models import User
from wellness.people.selectors import access_tokens_by_secrets, health_consent_active_many
from wellness.people.services import (
    access_token_create,
    access_token_revoke,
    consent_grant,
    consent_withdraw,
)


def test_concurrent_gets_share_one_fetch_and_each_gets_its_answer() -> None:
    calls: list[list[int]] = []

    async def fetch(keys: list[int]) -> dict[int, str | None]:
        calls.append(sorted(keys))
        await asyncio.sleep(0)
        return {key: f"v{key}" for key in keys if key != 3}

    coalescer: Coalescer[int, str | None] = Coalescer(fetch, None)

    async def main() -> list[str | None]:
        return await asyncio.gather(*(coalescer.get(key) for key in (1, 2, 3, 2)))

    assert asyncio.run(main()) == ["v1", "v2", None, "v2"]
    assert calls == [[1, 2, 3]]


def test_a_failed_fetch_fails_its_callers_and_the_next_fetch_runs() -> None:
    async def fetch(keys: list[int]) -> dict[int, int]:
        if 0 in keys:
            raise ConnectionError("database down")
        return {key: key for key in keys}

    coalescer: Coalescer[int, int] = Coalescer(fetch, -1)

    async def main() -> int:
        with pytest.raises(ConnectionError):
            await coalescer.get(0)
        return await coalescer.get(5)

    assert asyncio.run(main()) == 5


def test_consent_of_many_users_is_each_users_newest_record(db: None) -> None:
    granted = User.objects.create_user(email="granted@example.test")
    withdrawn = User.objects.create_user(email="withdrawn@example.test")
    never = User.objects.create_user(email="never@example.test")
    consent_grant(user=granted)
    consent_grant(user=withdrawn)
    consent_withdraw(user=withdrawn)

    found = health_consent_active_many([granted.pk, withdrawn.pk, never.pk])

    assert found == {granted.pk: True, withdrawn.pk: False, never.pk: False}


def test_tokens_of_many_secrets_leave_out_revoked_and_unknown_ones(db: None) -> None:
    user = User.objects.create_user(email="tokens@example.test")
    live, live_secret = access_token_create(user=user, name="a")
    revoked, revoked_secret = access_token_create(user=user, name="b")
    access_token_revoke(user=user, token_id=revoked.pk)

    found = access_tokens_by_secrets([live_secret, revoked_secret, "wv_not-a-token"])

    assert {secret: token.pk for secret, token in found.items()} == {live_secret: live.pk}


def _thread_name() -> str:
    import threading

    return threading.current_thread().name


@pytest.mark.django_db(transaction=True)  # the threads close their stale connections
@pytest.mark.parametrize(
    ("engine", "on_lookup_thread"),
    [("django.db.backends.postgresql", True), ("django.db.backends.sqlite3", False)],
)
def test_lookups_run_off_the_sync_thread_on_postgresql_only(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, engine: str, on_lookup_thread: bool
) -> None:
    # The one thread-sensitive sync thread runs the live ingest's group commit; a connection
    # storm's look-ups must not queue ahead of its writes (SQLite keeps one thread).
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", engine)

    async def main() -> tuple[str, str]:
        return (
            await lookup_sync_to_async(_thread_name)(),
            await database_sync_to_async(_thread_name)(),
        )

    lookup_thread, sync_thread = asyncio.run(main())

    assert lookup_thread.startswith("wellverse-lookups") is on_lookup_thread
    assert (lookup_thread == sync_thread) is not on_lookup_thread


async def test_a_micro_batcher_calls_once_per_queue_and_fails_only_refused_items() -> None:
    calls: list[list[int]] = []

    async def process(items: list[int]) -> list[int | Exception]:
        calls.append(items)
        await asyncio.sleep(0.01)
        return [ValueError(f"no {i}") if i < 0 else i * 10 for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(process, max_items=3)

    outcomes = await asyncio.gather(
        *(batcher.submit(i) for i in (1, 2, -3, 4, 5)), return_exceptions=True
    )

    # the first call took what was queued before it ran, at most three items
    assert calls == [[1, 2, -3], [4, 5]]
    assert outcomes[:2] + outcomes[3:] == [10, 20, 40, 50]
    assert isinstance(outcomes[2], ValueError)
    assert str(outcomes[2]) == "no -3"
