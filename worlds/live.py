"""The per-world, per-process ticker that moves avatars and feeds spectators.

One :class:`WorldTicker` runs per world in each server process that has a spectator of it (or
under ``manage.py worlds_live``). It

* listens to the ingest's ``workout-<id>`` group of every live session in the world and hands
  the batches of the session's own person, once per tick for all sessions together, to
  :func:`worlds.services.avatars_advance` (idempotent, so several processes doing the same is
  harmless);
* takes ``{"type": "world.avatars", "avatars": [...]}`` sent to ``world-<id>`` (states computed
  elsewhere: simulations, replays, the benchmark) as changed avatars too;
* relays the events of the batches it applied to the world's other tickers (``world.events`` on
  ``world-<id>``): a batch is applied by whichever process gets to it first, and the others find
  it applied, so this is how their spectators learn of the landmark, lap or overtake;
* collects the avatars that changed and, once per tick, encodes ONE frame and writes it itself to
  every spectator socket of the world in this process (:class:`Spectator`, the consumer's ASGI
  ``send``). Spectators therefore get one frame per tick however many samples arrived, and a tick
  costs one encoding and one socket write per spectator: no channel-layer message, no consumer
  dispatch, no per-spectator decoding.

Ticks never cross processes: every process's ticker hears the same batches (the channel layer
delivers each group message once to each subscribed process) and computes the same avatar states,
so each process's spectators get every tick once from their own process's ticker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from operator import itemgetter
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from wellness.core.groups import workout_group
from worlds import selectors, services

logger = logging.getLogger(__name__)

PROCESS_TOKEN = settings.WORLDS_PROCESS_TOKEN or uuid.uuid4().hex[:12]


# One row per changed avatar in a tick: interpolation hints (clients extrapolate d + v x (now - t)).
AVATAR_COLUMNS = ("id", "d", "v", "t", "lap", "grade")
_avatar_row = itemgetter(*AVATAR_COLUMNS)


def tick_seconds() -> float:
    return settings.WORLDS_TICK_SECONDS


def spectator_group(world_id: int) -> str:
    """This process's channel-layer group of a world's spectators (for frames sent from elsewhere,
    such as the benchmark's per-sample baseline; the ticker writes its ticks directly)."""
    return f"world-{world_id}-view-{PROCESS_TOKEN}"


ASGISend = Callable[[dict[str, Any]], Awaitable[None]]


class Spectator:
    """One spectator socket in this process, as its world's ticker sees it: the ASGI ``send``.

    Until the consumer has sent the snapshot, ticks wait in ``backlog`` (in order), so the socket
    gets the snapshot first and then every tick, none lost in between.
    """

    __slots__ = ("backlog", "send")

    def __init__(self, send: ASGISend) -> None:
        self.send = send
        self.backlog: list[dict[str, Any]] | None = []


class WorldTicker:
    def __init__(self, world_id: int) -> None:
        self.world_id = world_id
        self.group = spectator_group(world_id)
        self.layer = get_channel_layer()
        self.interval = tick_seconds()
        self.channel = ""
        self.workouts: dict[int, tuple[int, int]] = {}  # workout_id -> (session_id, user_id)
        self.spectators: dict[Spectator, None] = {}  # insertion-ordered set
        self.changed: dict[int, selectors.AvatarView] = {}
        self.gone: set[int] = set()
        self.announced: set[int] = set()
        self.tick_number = 0
        self.tasks: list[asyncio.Task[None]] = []
        self.pending: dict[int, list[dict[str, Any]]] = {}  # session_id -> samples to apply
        # Events other processes' tickers stored (this one then finds their samples applied).
        self.relayed: list[dict[str, Any]] = []
        self.token = uuid.uuid4().hex  # tells this ticker's relayed events from the others'

    async def start(self) -> None:
        assert self.layer is not None
        self.channel = await self.layer.new_channel(prefix="worlds-ticker.")
        await self.layer.group_add(services.world_group(self.world_id), self.channel)
        await self.refresh()
        self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._tick())]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        assert self.layer is not None
        groups = [services.world_group(self.world_id)]
        groups += [workout_group(w) for w in self.workouts]
        for group in groups:
            await self.layer.group_discard(group, self.channel)

    async def refresh(self) -> None:
        """Listen to exactly the workouts of the world's live sessions."""
        assert self.layer is not None
        current = await database_sync_to_async(selectors.world_active_workouts)(
            world_id=self.world_id
        )
        for workout_id in current.keys() - self.workouts.keys():
            await self.layer.group_add(workout_group(workout_id), self.channel)
        for workout_id in self.workouts.keys() - current.keys():
            await self.layer.group_discard(workout_group(workout_id), self.channel)
            self.gone.add(self.workouts[workout_id][0])
        self.workouts = current

    async def _read(self) -> None:
        assert self.layer is not None
        while True:
            message = await self.layer.receive(self.channel)
            try:
                await self.handle(message)
            except Exception:  # one bad batch must not stop the world for everyone
                logger.exception("world %s: could not apply %s", self.world_id, message.get("type"))

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "world.refresh":
            await self.refresh()
        elif kind == "world.avatars":
            # Avatar states computed elsewhere (a replay, a simulation): shown on the next tick.
            for view in message.get("avatars") or []:
                self.changed[int(view["id"])] = view
        elif kind == "world.events":
            if message.get("origin") != self.token:
                self.relayed.extend(message.get("events") or [])
        elif kind == "workout.samples":
            live = self.workouts.get(int(message.get("workout_id") or 0))
            # Only the session's own person's samples move their avatar.
            if live is None or message.get("user_id") != live[1]:
                return
            session_id = live[0]
            # Applied at the next tick, merged with the other devices' batches of the same
            # instants: a strap's heart-rate-only sample must not pre-empt the foot pod's speed.
            self.pending.setdefault(session_id, []).extend(message.get("samples") or [])

    async def apply_pending(self) -> None:
        """Move every avatar by the samples that arrived since the last tick, merged by time, in
        one transaction for the whole world."""
        pending, self.pending = self.pending, {}
        if not pending:
            return
        batches = {session_id: merge_by_time(samples) for session_id, samples in pending.items()}
        try:
            views = await database_sync_to_async(services.avatars_advance)(
                world_id=self.world_id, batches=batches
            )
        except Exception:  # one bad batch must not stop the world for everyone: one by one
            logger.exception("world %s: could not move the tick's avatars together", self.world_id)
            views = {}
            for session_id, samples in batches.items():
                try:
                    one = await database_sync_to_async(services.avatars_advance)(
                        world_id=self.world_id, batches={session_id: samples}
                    )
                except Exception:
                    logger.exception(
                        "world %s: could not move avatar %s", self.world_id, session_id
                    )
                else:
                    views.update(one)
        finished = False
        stored: list[dict[str, Any]] = []
        for session_id, view in views.items():
            if view.pop("hidden", False):
                self.gone.add(session_id)
                continue
            stored.extend({"id": session_id, **event} for event in view["events"])
            previous = self.changed.get(session_id)
            if previous is not None:  # keep events from earlier batches in this tick
                view["events"] = previous.get("events", []) + view["events"]
            self.changed[session_id] = view
            finished = finished or view["finished"]
        if stored:
            # Only the process that applied a batch learns its events; the world's other tickers
            # (other processes) show them on their next tick.
            assert self.layer is not None
            await self.layer.group_send(
                services.world_group(self.world_id),
                {"type": "world.events", "origin": self.token, "events": stored},
            )
        if finished:
            await self.refresh()

    def watch(self, send: ASGISend) -> Spectator:
        """Write this world's ticks to a local socket; they wait until :meth:`live`."""
        spectator = Spectator(send)
        self.spectators[spectator] = None
        return spectator

    async def live(self, spectator: Spectator) -> None:
        """The snapshot is out: send the ticks that waited, then every tick as it is made."""
        while spectator.backlog:
            await spectator.send(spectator.backlog.pop(0))
        spectator.backlog = None  # no await since the loop saw it empty: nothing slips past

    def unwatch(self, spectator: Spectator) -> None:
        self.spectators.pop(spectator, None)

    async def deliver(self, text: str) -> None:
        """One frame, encoded once, written to every local spectator in turn.

        uvicorn's WebSocket protocols (websockets-sansio, the default, and wsproto) hand a frame
        to the socket's transport without waiting, so the loop does not wait on a slow reader.
        """
        message = {"type": "websocket.send", "text": text}
        for spectator in list(self.spectators):
            if spectator.backlog is not None:
                spectator.backlog.append(message)
                continue
            try:
                await spectator.send(message)
            except Exception:  # a socket closed under us leaves; the others still get the tick
                logger.debug("world %s: dropped a closed spectator", self.world_id, exc_info=True)
                self.unwatch(spectator)

    def frame(self) -> str | None:
        """The tick's one message for every spectator, or None if nothing changed.

        Changed avatars go as compact rows (``AVATAR_COLUMNS``): the client has the route geometry
        and places an avatar from ``d``. Names and other details go once, in ``joined``, the first
        time this ticker sends an avatar (the snapshot describes those already there).
        """
        if not self.changed and not self.gone and not self.relayed:
            return None
        self.tick_number += 1
        rows: list[list[Any]] = []
        joined: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for session_id, view in self.changed.items():
            rows.append(list(_avatar_row(view)))
            if session_id not in self.announced:
                self.announced.add(session_id)
                joined.append({k: v for k, v in view.items() if k != "events"})
            events.extend({"id": session_id, **event} for event in view.get("events", ()))
        events.extend(self.relayed)
        gone = sorted(self.gone - self.changed.keys())
        self.announced.difference_update(gone)
        text = orjson.dumps(
            {
                "type": "tick",
                "world_id": self.world_id,
                "tick": self.tick_number,
                "server_time": time.time(),
                "avatars": rows,
                "joined": joined,
                "events": events,
                "gone": gone,
            }
        ).decode()
        self.changed, self.gone, self.relayed = {}, set(), []
        return text

    async def _tick(self) -> None:
        assert self.layer is not None
        loop = asyncio.get_running_loop()
        next_at = loop.time() + self.interval
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            next_at = max(next_at + self.interval, loop.time())
            await self.apply_pending()
            text = self.frame()
            if text is not None:
                await self.deliver(text)


def merge_by_time(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Samples of several devices at one instant as one sample (the first value of each key
    wins, as in the stored series), sorted by time."""
    merged: dict[float, dict[str, Any]] = {}
    for sample in samples:
        t = sample.get("t")
        if not isinstance(t, int | float):
            continue
        into = merged.setdefault(float(t), {})
        for key, value in sample.items():
            into.setdefault(key, value)
    return [merged[t] for t in sorted(merged)]


_tickers: dict[tuple[int, int], tuple[WorldTicker, int]] = {}
_locks: dict[int, asyncio.Lock] = {}


def _lock() -> asyncio.Lock:
    # One lock per event loop: test runs (and benchmarks) create a loop each.
    return _locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())


async def ticker_acquire(world_id: int) -> WorldTicker:
    """The running ticker of this world in this process (started on first use), counted."""
    key = (id(asyncio.get_running_loop()), world_id)
    async with _lock():
        ticker, users = _tickers.get(key, (None, 0))
        if ticker is None:
            ticker = WorldTicker(world_id)
            await ticker.start()
        _tickers[key] = (ticker, users + 1)
    return ticker


async def ticker_release(world_id: int) -> None:
    key = (id(asyncio.get_running_loop()), world_id)
    async with _lock():
        ticker, users = _tickers.get(key, (None, 0))
        if ticker is None:
            return
        if users > 1:
            _tickers[key] = (ticker, users - 1)
            return
        del _tickers[key]
    await ticker.stop()


async def run_for_live_sessions(*, seconds: float | None = None, poll_seconds: float = 5.0) -> None:
    """Keep a ticker running for every world with a live session, spectated or not, so avatars
    move (and group runs finish) with nobody watching. ``manage.py worlds_live`` runs this."""
    held: set[int] = set()
    loop = asyncio.get_running_loop()
    until = None if seconds is None else loop.time() + seconds
    try:
        while until is None or loop.time() < until:
            live_worlds = set(await database_sync_to_async(selectors.worlds_with_live_sessions)())
            for world_id in live_worlds - held:
                await ticker_acquire(world_id)
            for world_id in held - live_worlds:
                await ticker_release(world_id)
            held = live_worlds
            wait = poll_seconds if until is None else min(poll_seconds, until - loop.time())
            await asyncio.sleep(max(0.0, wait))
    finally:
        for world_id in held:
            await ticker_release(world_id)
