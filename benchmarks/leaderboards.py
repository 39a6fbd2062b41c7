"""Leaderboards at one million participants: the Redis read path against the SQL rank, and
pipelined progress updates against one round trip per update.

Uses a scratch PostgreSQL database (``<DATABASE_URL's database>_bench_leaderboards``, dropped and
re-created; rows bulk-loaded with COPY) and its own Redis key prefix.
"""

from __future__ import annotations

import io
import os
import random
import time

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = "top 20 + caller's rank via Redis vs SQL at 1M participants; pipelined updates/s"
NAME = "leaderboards"
PREFIX = "wellverse-bench:lb"


def _setup_django() -> None:
    import environ

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wellverse")
    parsed = environ.Env.db_url_config(base)
    scratch = f"{parsed['NAME']}_bench_leaderboards"
    import psycopg

    admin = psycopg.connect(
        host=parsed["HOST"] or "127.0.0.1",
        port=parsed["PORT"] or 5432,
        user=parsed["USER"],
        password=parsed["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{scratch}"')
    admin.close()
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + scratch
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    import django

    django.setup()
    from django.conf import settings

    settings.LEADERBOARDS_PREFIX = PREFIX
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _copy(table: str, columns: str, lines: io.StringIO) -> None:
    from django.db import connection

    lines.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        while chunk := lines.read(1 << 20):
            copy.write(chunk)


def _load(size: int) -> tuple[int, list[int]]:
    """``size`` users, profiles and participants of one challenge; returns its id and the ids."""
    import datetime as dt

    from django.db import connection

    from challenges import leaderboards
    from challenges.models import Challenge
    from challenges.selectors import challenge_starts_at

    challenge = Challenge.objects.create(
        title="Bench",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    starts_at = challenge_starts_at(challenge)
    rng = random.Random(42)
    users, profiles, participants = io.StringIO(), io.StringIO(), io.StringIO()
    now = "2026-11-01 00:00:00+00"
    placements = []
    for i in range(1, size + 1):
        users.write(f"{i}\t!\tbench{i}@example.test\tt\tf\tf\t{now}\n")
        private = i % 10 == 0
        profiles.write(
            f"{i}\t{i}\tAthlete {i}\tmetric\t{'private' if private else 'public'}\t"
            f"{'Pseudo ' + str(i) if private else ''}\tt\tUTC\t{now}\t\n"
        )
        progress = rng.randrange(0, 400_000)
        reached = starts_at + dt.timedelta(minutes=rng.randrange(0, 40_000))
        score = leaderboards.score_for(progress, reached, starts_at)
        participants.write(
            f"{i}\t{challenge.pk}\t{i}\t\\N\t\tactive\t{progress}\t{score}\t{reached.isoformat()}"
            f"\t\\N\t{now}\n"
        )
        placements.append((leaderboards.key_all(challenge.pk), leaderboards.member_key(i), score))
    _copy(
        "wellness_user",
        "id, password, email, is_active, is_staff, is_superuser, date_joined",
        users,
    )
    _copy(
        "wellness_profile",
        "id, user_id, display_name, units, visibility, pseudonym, show_in_live_worlds, "
        "time_zone, updated_at, sex",
        profiles,
    )
    _copy(
        "challenges_participant",
        "id, challenge_id, user_id, team_id, age_group, status, progress, score, reached_at, "
        "completed_at, joined_at",
        participants,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    leaderboards.redis_clear(challenge.pk)
    for start in range(0, size, 10_000):
        leaderboards.redis_write(placements[start : start + 10_000], only_greater=False)
    return challenge.pk, list(range(1, size + 1))


def run(quick: bool) -> list[Figure]:
    size = 100_000 if quick else 1_000_000
    _setup_django()
    from django.conf import settings

    from challenges import leaderboards, selectors
    from wellness.people.models import User

    challenge_id, ids = _load(size)
    # The caller in the middle of the board: the SQL rank must count half the table.
    caller_pk = _median_member(challenge_id)
    caller = User.objects.get(pk=caller_pk)

    def board() -> object:
        return selectors.leaderboard(user=caller, challenge_id=challenge_id, top=20, neighbours=2)

    redis_board = board()
    redis_s = median_seconds(board, repeat=200 if quick else 500, warmup=20)
    redis_url = settings.REDIS_URL
    settings.REDIS_URL = ""
    sql_board = board()
    sql_s = median_seconds(board, repeat=5 if quick else 9, warmup=1)
    settings.REDIS_URL = redis_url
    assert redis_board == sql_board, "the Redis and SQL paths disagree"

    updates = 20_000 if quick else 100_000
    rng = random.Random(7)
    key = leaderboards.key_all(challenge_id)
    batch = [(key, leaderboards.member_key(rng.choice(ids)), 2**52 + n) for n in range(updates)]

    def pipelined() -> None:
        for start in range(0, updates, 1000):
            leaderboards.redis_write(batch[start : start + 1000])

    single = batch[:2000]

    def one_by_one() -> None:
        client = leaderboards.client()
        for k, member, score in single:
            client.zadd(k, {member: score}, gt=True)

    pipelined_s = median_seconds(pipelined, repeat=3, warmup=0)
    single_s = median_seconds(one_by_one, repeat=3, warmup=0)
    leaderboards.redis_clear(challenge_id)
    label = f"{size:,} participants"
    return [
        figure(
            NAME,
            f"top 20 + rank ±2 via Redis ({label})",
            redis_s * 1000,
            "ms",
            baseline=sql_s * 1000,
            goal="< 2 ms median, >= 100x the SQL rank (full run)",
            higher_is_better=False,
        ),
        figure(
            NAME,
            "progress updates to leaderboard, pipelined",
            updates / pipelined_s,
            "updates/s",
            baseline=len(single) / single_s,
            goal=">= 20,000 updates/s",
            higher_is_better=True,
        ),
    ]


def _median_member(challenge_id: int) -> int:
    from challenges import leaderboards

    client = leaderboards.client()
    key = leaderboards.key_all(challenge_id)
    middle = client.zcard(key) // 2
    members: list[bytes] = list(client.zrevrange(key, middle, middle))  # type: ignore[arg-type]
    return int(members[0])


if __name__ == "__main__":  # pragma: no cover
    started = time.perf_counter()
    for result in run(quick=True):
        print(result)
    print(f"{time.perf_counter() - started:.1f} s")
