"""Leaderboard keys, the tie-breaking score, the Redis read/write path and its rebuild.

Tie rule: standard competition ranking ("1224") on ``score``, where the score encodes progress
first and, for equal progress, who reached it earlier::

    score = progress * TIE_SPAN + (TIE_SPAN - 1 - minutes_since_challenge_start_when_reached)

so the earlier finisher has the higher score. Only entries with equal progress reached in the same
minute share a rank; ``rank = 1 + number of scores strictly greater``, which both paths compute
(Redis: ZCOUNT on the exclusive range; database: COUNT). Within a shared rank, entries list by
descending id on both paths (Redis orders equal scores by member, which is the zero-padded id).
The score stays below 2**53, so Redis doubles hold it exactly.

The database (``Participant.score``, ``Team.score``) is the record; Redis sorted sets are a copy for
fast reads when ``settings.REDIS_URL`` is set, written after commit with ``ZADD GT`` (scores only
grow, so out-of-order commits cannot move an entry back) and rebuilt by
``manage.py rebuild_leaderboards``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings

from challenges.models import Challenge, Participant, ParticipantStatus, Team
from wellness.core.errors import NotFound, ValidationFailed

TIE_SPAN = 2**20  # minutes: about 728 days, longer than any challenge may last
MAX_CHALLENGE_DAYS = 700
MAX_PROGRESS = 2**33 - 1  # keeps score < 2**53


def prefix() -> str:
    """Key prefix, so one Redis can hold several installations (or a benchmark's scratch keys)."""
    return settings.LEADERBOARDS_PREFIX


Placement = tuple[str, str, int]  # key, member, score


def score_for(progress: int, reached_at: dt.datetime | None, starts_at: dt.datetime) -> int:
    if progress <= 0 or reached_at is None:
        return 0
    minute = int((reached_at - starts_at).total_seconds() // 60)
    minute = min(max(minute, 0), TIE_SPAN - 1)
    return min(progress, MAX_PROGRESS) * TIE_SPAN + (TIE_SPAN - 1 - minute)


def progress_of(score: int) -> int:
    return int(score) // TIE_SPAN


def member_key(pk: int) -> str:
    """Zero-padded so Redis's lexicographic order of equal scores is the numeric order of ids."""
    return f"{pk:012d}"


def key_all(challenge_id: int) -> str:
    return f"{prefix()}:{challenge_id}:all"


def key_team(challenge_id: int, team_id: int) -> str:
    return f"{prefix()}:{challenge_id}:team:{team_id}"


def key_age(challenge_id: int, age_group: str) -> str:
    return f"{prefix()}:{challenge_id}:age:{age_group}"


def key_teams(challenge_id: int) -> str:
    return f"{prefix()}:{challenge_id}:teams"


def participant_keys(challenge_id: int, team_id: int | None, age_group: str) -> list[str]:
    keys = [key_all(challenge_id)]
    if team_id is not None:
        keys.append(key_team(challenge_id, team_id))
    if age_group:
        keys.append(key_age(challenge_id, age_group))
    return keys


def redis_enabled() -> bool:
    return bool(settings.REDIS_URL)


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


def redis_write(placements: Iterable[Placement], *, only_greater: bool = True) -> None:
    """One pipelined round trip; ``only_greater`` is ZADD GT (the normal, monotone path)."""
    pipe = client().pipeline(transaction=False)
    for key, member, score in placements:
        pipe.zadd(key, {member: score}, gt=only_greater)
    pipe.execute()


def redis_remove(entries: Iterable[tuple[str, str]]) -> None:
    pipe = client().pipeline(transaction=False)
    for key, member in entries:
        pipe.zrem(key, member)
    pipe.execute()


def redis_clear(challenge_id: int) -> None:
    keys = list(client().scan_iter(match=f"{prefix()}:{challenge_id}:*", count=1000))
    if keys:
        client().delete(*keys)


Ranked = list[tuple[int, int, int]]  # rank, member id, score


def _ranked(rows: Sequence[tuple[bytes, float]], start: int, first_rank: int) -> Ranked:
    """Standard competition ranks for the rows at 0-based positions ``start``, ``start + 1``, ...;
    ``first_rank`` is the first row's rank (lower than ``start + 1`` when a tie began above)."""
    out: Ranked = []
    for offset, (member, raw) in enumerate(rows):
        score = int(raw)
        if offset == 0:
            rank = first_rank
        elif score == out[-1][2]:
            rank = out[-1][0]
        else:
            rank = start + offset + 1
        out.append((rank, int(member), score))
    return out


# One round trip for the whole read: top, the caller's window and the rank of the window's first
# entry (which a tie beginning above the window may lower). Scores come back as strings.
_BOARD_SCRIPT = """
local top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if ARGV[2] == '' then return {top} end
local rank = redis.call('ZREVRANK', KEYS[1], ARGV[2])
if not rank then return {top} end
local start = math.max(0, rank - tonumber(ARGV[3]))
local window = redis.call('ZREVRANGE', KEYS[1], start, rank + tonumber(ARGV[3]), 'WITHSCORES')
local above = redis.call('ZCOUNT', KEYS[1], '(' .. window[2], '+inf')
return {top, window, start, above}
"""


def _pairs(flat: Sequence[bytes]) -> list[tuple[bytes, float]]:
    return [(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]


@lru_cache(maxsize=4)
def _board_script(url: str) -> Any:
    return _client(url).register_script(_BOARD_SCRIPT)


def redis_board(
    key: str, member: int | None, *, top: int, neighbours: int
) -> tuple[Ranked, Ranked]:
    """Top ``top`` and the window of ``neighbours`` either side of ``member`` (empty if absent)."""
    script = _board_script(settings.REDIS_URL)
    result = script(
        keys=[key], args=[top, member_key(member) if member is not None else "", neighbours]
    )
    top_rows = _ranked(_pairs(result[0]), 0, 1)
    if len(result) == 1:
        return top_rows, []
    start, above = int(result[2]), int(result[3])
    return top_rows, _ranked(_pairs(result[1]), start, above + 1)


# --- Rebuild ----------------------------------------------------------------------------------
class LeaderboardsUnavailable(ValidationFailed):
    code = "leaderboards_unavailable"


def leaderboards_rebuild(
    *, challenge_ids: Sequence[int] | None = None, chunk: int = 10_000
) -> dict[int, int]:
    """Replace each challenge's Redis boards by the database's; returns entries written per board.

    Updates that commit during a rebuild also write to Redis (ZADD GT), so they are not lost.
    """
    if not redis_enabled():
        raise LeaderboardsUnavailable("REDIS_URL is not set: the database serves leaderboards.")
    if challenge_ids is None:
        challenge_ids = list(Challenge.objects.order_by("pk").values_list("pk", flat=True))
    else:
        known = set(Challenge.objects.filter(pk__in=challenge_ids).values_list("pk", flat=True))
        missing = sorted(set(challenge_ids) - known)
        if missing:
            raise NotFound(f"No challenge with id {', '.join(map(str, missing))}.")
    counts = {}
    for challenge_id in challenge_ids:
        redis_clear(challenge_id)
        rows = (
            Participant.objects.filter(challenge_id=challenge_id, status=ParticipantStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", "team_id", "age_group", "score")
            .iterator(chunk_size=chunk)
        )
        batch: list[Placement] = []
        written = 0
        for pk, team_id, group, score in rows:
            for key in participant_keys(challenge_id, team_id, group):
                batch.append((key, member_key(pk), score))
            written += 1
            if len(batch) >= chunk:
                redis_write(batch)
                batch = []
        for team_id, score in Team.objects.filter(challenge_id=challenge_id).values_list(
            "pk", "score"
        ):
            batch.append((key_teams(challenge_id), member_key(team_id), score))
        redis_write(batch)
        counts[challenge_id] = written
    return counts
