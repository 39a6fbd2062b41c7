"""``/ws/v1/rooms/<appointment_id>/``: a consultation room's signalling. Transport and groups only.

Only a browser session (no token) of the appointment's participants joins, from ten minutes before
the start to the end (anyone else: 4404; a participant outside that time, or a cancelled or ended
appointment: 4403). The clinician (verified, signed in with two factors) is in at once; the patient
and a guest wait until the clinician admits them. The room closes (4403) at the end, when the
appointment is cancelled, moved or ended, and (as every cookie socket) when a participant signs out
or loses their role.

Messages in: ``{"action": "signal", "to"?: role, "data": {...}}`` (an offer, an answer or an ICE
candidate, relayed as is), ``{"action": "chat", "text"}``, ``{"action": "admit", "who":
"patient"|"guest"}`` (clinician), ``{"action": "live_hr", "on": bool}`` (the patient shares their
live heart rate, or stops). Messages out: ``{"type": "welcome", "role", "admitted",
"ice_servers"}``, ``{"type": "waiting", "role", "name"}`` (clinician), ``{"type": "admitted"}``,
``{"type": "peer", "role", "name", "present"}``, ``{"type": "signal", "from", "data"}`` (to a
role that is not in the room: an error ``peer_absent``),
``{"type": "chat", "from", "name", "text", "at"}``, ``{"type": "live_hr_sharing", "on"}`` (to the
patient), ``{"type": "live_hr_start"}``, ``{"type": "live_hr", "bpm", "t"}`` and
``{"type": "live_hr_clear", "reason": "off" | "no_grant" | "grant_ended"}`` (to the clinician) and
``{"type": "error", ...}`` to the sender.

Live heart rate: while the patient has sharing on AND the clinician has a live ``samples`` grant,
the clinician's socket listens to the ``workout-<id>`` groups of the patient's recording workouts
(where their ingest socket publishes each stored batch, as for classes and worlds; looked up again
every ``LIVE_HR_REFRESH_SECONDS`` so a workout started later is heard too) and relays the newest
heart rate of each batch. Starting is one audited read (``services.live_hr_watch_start``). Sharing
turned off, the patient leaving, or the grant ending (care's grant-end listener,
``room.live_hr_end``) stops it at once and tells the clinician's page to clear the view.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.utils import timezone

from wellness.care import selectors as care_selectors
from wellness.care.appointments import services
from wellness.care.models import GrantCategory
from wellness.care.rooms import selectors
from wellness.care.rooms import services as room_services
from wellness.care.rooms.groups import (
    room_admitted_group,
    room_group,
    room_host_group,
    room_live_hr_group,
)
from wellness.core.errors import DomainError
from wellness.core.groups import workout_group
from wellness.people.consumers import AuthenticatedConsumer
from wellness.people.websocket import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    second_factor_from_session,
)

MAX_SIGNAL_CHARS = 32_000  # an SDP offer with audio and video is ~5-10 kB
MAX_CHAT_CHARS = 2_000
LIVE_HR_REFRESH_SECONDS = 5.0  # how soon a workout the patient starts while sharing is heard


class ConsultationRoomConsumer(AuthenticatedConsumer):
    token_scopes = ()  # the browser's session only: the room is a person at their screen
    role: str = ""
    name: str = ""
    in_call = False
    end_timer: asyncio.Task[None] | None = None
    sharing_hr = False  # the patient: sharing their live heart rate with the clinician
    live_hr_task: asyncio.Task[None] | None = None  # the clinician: relaying it (refreshing)

    @database_sync_to_async
    def _access(self) -> selectors.RoomAccess | None:
        user = self.scope["user"]
        second_factor_from_session(user, self.scope.get("session"))
        return selectors.room_access(user=user, appointment_id=self.appointment_id)

    @database_sync_to_async
    def _ice_servers(self) -> list[Any]:
        return list(selectors.room_ice_servers(user=self.scope["user"]))

    async def joined(self) -> bool:
        self.peers: dict[str, str] = {}  # role -> channel name of each admitted peer
        self.appointment_id = int(self.scope["url_route"]["kwargs"]["appointment_id"])
        access = await self._access()
        if access is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        if not access.is_open:
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        self.role, self.name, self.ends_at = access.role, access.name, access.ends_at
        self.patient_id = access.patient_id
        self.live_workouts: set[int] = set()
        await self.join(room_group(self.appointment_id))
        if self.role == "clinician":
            await self.join(room_host_group(self.appointment_id))
        if access.admitted:
            await self._enter()
        return True

    async def connect(self) -> None:
        await super().connect()
        if self.closed or not self.role:
            return
        await self.send_json(
            {
                "type": "welcome",
                "role": self.role,
                "admitted": self.in_call,
                "ice_servers": await self._ice_servers(),
            }
        )
        self.end_timer = asyncio.ensure_future(self._close_at_end())
        if self.role == "clinician":  # whoever waits already says so again
            await self.channel_layer.group_send(
                room_group(self.appointment_id), {"type": "room.roll_call"}
            )
        elif not self.in_call:
            await self._announce_waiting()
        if self.in_call:
            await self._announce_presence(present=True)

    async def _enter(self) -> None:
        self.in_call = True
        await self.join(room_admitted_group(self.appointment_id))

    async def _announce_waiting(self) -> None:
        await self.channel_layer.group_send(
            room_host_group(self.appointment_id),
            {"type": "room.waiting", "role": self.role, "name": self.name},
        )

    async def _announce_presence(self, *, present: bool) -> None:
        await self.channel_layer.group_send(
            room_admitted_group(self.appointment_id),
            {
                "type": "room.peer",
                "role": self.role,
                "name": self.name,
                "present": present,
                "sender": self.channel_name,
            },
        )

    async def _close_at_end(self) -> None:
        await asyncio.sleep(max(0.0, (self.ends_at - timezone.now()).total_seconds()))
        await self.close(code=CLOSE_FORBIDDEN)

    async def disconnect(self, code: int) -> None:
        if self.end_timer is not None:
            self.end_timer.cancel()
        await self._live_hr_stop(reason=None)
        if self.sharing_hr:
            await self._live_hr_share(on=False)
        if self.in_call:
            await self._announce_presence(present=False)
        await super().disconnect(code)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its ``aclose_old_connections()`` before every message (as the
        ingest socket does): that is a hop to the one sync thread per relayed offer, answer or
        candidate, and under load each waited there behind the others (the signalling benchmark).
        This consumer reaches the ORM only through ``database_sync_to_async``, which closes stale
        connections itself around each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    @database_sync_to_async
    def _admit(self, who: str) -> None:
        services.room_admit(user=self.scope["user"], appointment_id=self.appointment_id, who=who)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "admit" and self.role == "clinician":
            who = str(content.get("who"))
            try:
                await self._admit(who)
            except DomainError as exc:
                await self.reply_error(exc.code, exc.message)
                return
            await self.channel_layer.group_send(
                room_group(self.appointment_id), {"type": "room.admitted", "who": who}
            )
        elif not self.in_call:
            await self.reply_error("waiting", "Wait until the clinician lets you in.")
        elif action == "signal":
            await self._relay_signal(content)
        elif action == "chat":
            await self._relay_chat(content)
        elif action == "live_hr" and self.role == "patient":
            on = content.get("on")
            if not isinstance(on, bool):
                await self.reply_error("invalid", "Say whether to share: on is true or false.")
                return
            await self._live_hr_share(on=on)
            await self.send_json({"type": "live_hr_sharing", "on": on})
        else:
            await self.reply_error("invalid", "Send an action: signal, chat or admit.")

    async def _live_hr_share(self, *, on: bool) -> None:
        self.sharing_hr = on
        await self.channel_layer.group_send(
            room_host_group(self.appointment_id), {"type": "room.live_hr_share", "on": on}
        )

    async def _relay_signal(self, content: dict[str, Any]) -> None:
        data, to = content.get("data"), content.get("to")
        if not isinstance(data, dict) or len(json.dumps(data)) > MAX_SIGNAL_CHARS:
            await self.reply_error("invalid", "A signal carries a JSON object of at most 32 kB.")
            return
        # Straight to the peers' channels (learnt from their presence), not through the room's
        # group: one message on the layer per peer, and none back to the sender.
        peers = [self.peers[to]] if isinstance(to, str) and to in self.peers else []
        if to is None:
            peers = list(self.peers.values())
        if not peers:
            await self.reply_error("peer_absent", "Nobody to send this to is in the room yet.")
            return
        message = {"type": "room.signal", "from": self.role, "data": data}
        for channel in peers:
            await self.channel_layer.send(channel, message)

    async def _relay_chat(self, content: dict[str, Any]) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHAT_CHARS:
            await self.reply_error("invalid", "A chat message is 1 to 2000 characters of text.")
            return
        await self.channel_layer.group_send(
            room_admitted_group(self.appointment_id),
            {
                "type": "room.chat",
                "from": self.role,
                "name": self.name,
                "text": text,
                "at": timezone.now().isoformat(),
            },
        )

    # Channel-layer events.

    async def room_signal(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "signal", "from": event["from"], "data": event["data"]})

    async def room_chat(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {k: event[k] for k in ("from", "name", "text", "at")} | {"type": "chat"}
        )

    async def room_peer(self, event: dict[str, Any]) -> None:
        if event["sender"] == self.channel_name:
            return
        if event["present"]:
            self.peers[event["role"]] = event["sender"]
        elif self.peers.get(event["role"]) == event["sender"]:
            del self.peers[event["role"]]
        await self.send_json(
            {
                "type": "peer",
                "role": event["role"],
                "name": event["name"],
                "present": event["present"],
            }
        )
        if event["present"] and event["role"] == "clinician" and self.sharing_hr:
            # A clinician who (re)joins learns that the patient shares.
            await self.channel_layer.send(
                event["sender"], {"type": "room.live_hr_share", "on": True}
            )
        if event["present"] and event.get("reply", True):
            # Tell the newcomer who is already here (once: the reply asks for none).
            await self.channel_layer.send(
                event["sender"],
                {
                    "type": "room.peer",
                    "role": self.role,
                    "name": self.name,
                    "present": True,
                    "sender": self.channel_name,
                    "reply": False,
                },
            )

    async def room_waiting(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "waiting", "role": event["role"], "name": event["name"]})

    async def room_roll_call(self, event: dict[str, Any]) -> None:
        if not self.in_call:
            await self._announce_waiting()

    async def room_admitted(self, event: dict[str, Any]) -> None:
        if self.in_call or event["who"] != self.role:
            return
        await self._enter()
        await self.send_json({"type": "admitted"})
        await self._announce_presence(present=True)

    async def room_close(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_FORBIDDEN)

    # Live heart rate (the clinician's side).

    @database_sync_to_async
    def _live_hr_watch_start(self) -> bool:
        try:
            room_services.live_hr_watch_start(user=self.scope["user"], patient_id=self.patient_id)
        except DomainError:
            return False
        return True

    @database_sync_to_async
    def _live_hr_allowed(self) -> bool:
        return GrantCategory.SAMPLES in care_selectors.live_grant_categories(
            self.scope["user"], self.patient_id
        )

    @database_sync_to_async
    def _patient_live_workouts(self) -> set[int]:
        return selectors.patient_live_workouts(patient_id=self.patient_id)

    async def room_live_hr_share(self, event: dict[str, Any]) -> None:
        if self.role != "clinician":
            return
        if not event["on"]:
            await self._live_hr_stop(reason="off")
        elif self.live_hr_task is None:
            if not await self._live_hr_watch_start():
                await self.send_json({"type": "live_hr_clear", "reason": "no_grant"})
                return
            await self.channel_layer.group_add(
                room_live_hr_group(self.scope["user"].pk, self.patient_id), self.channel_name
            )
            await self._live_hr_listen()
            self.live_hr_task = asyncio.ensure_future(self._live_hr_refresh())
            await self.send_json({"type": "live_hr_start"})

    async def _live_hr_listen(self) -> None:
        """Listen to exactly the patient's recording workouts."""
        current = await self._patient_live_workouts()
        for workout_id in current - self.live_workouts:
            await self.channel_layer.group_add(workout_group(workout_id), self.channel_name)
        for workout_id in self.live_workouts - current:
            await self.channel_layer.group_discard(workout_group(workout_id), self.channel_name)
        self.live_workouts = current

    async def _live_hr_refresh(self) -> None:
        while True:
            await asyncio.sleep(LIVE_HR_REFRESH_SECONDS)
            await self._live_hr_listen()

    async def _live_hr_stop(self, *, reason: str | None) -> None:
        """Stop relaying (if relaying) and, with a reason, tell the page to clear the view."""
        if self.live_hr_task is None:
            return
        self.live_hr_task.cancel()
        self.live_hr_task = None
        for workout_id in self.live_workouts:
            await self.channel_layer.group_discard(workout_group(workout_id), self.channel_name)
        self.live_workouts = set()
        await self.channel_layer.group_discard(
            room_live_hr_group(self.scope["user"].pk, self.patient_id), self.channel_name
        )
        if reason is not None and not self.closed:
            await self.send_json({"type": "live_hr_clear", "reason": reason})

    async def room_live_hr_end(self, event: dict[str, Any]) -> None:
        # Any grant of the pair ended: stop unless the samples grant is still live.
        if self.live_hr_task is not None and not await self._live_hr_allowed():
            await self._live_hr_stop(reason="grant_ended")

    async def workout_samples(self, event: dict[str, Any]) -> None:
        """A batch the patient's ingest socket stored: relay its newest heart rate."""
        if self.live_hr_task is None or event.get("user_id") != self.patient_id:
            return
        for sample in reversed(event.get("samples") or []):
            bpm = sample.get("hr") if isinstance(sample, dict) else None
            if isinstance(bpm, int | float) and not isinstance(bpm, bool) and bpm > 0:
                await self.send_json({"type": "live_hr", "bpm": round(bpm), "t": sample.get("t")})
                return
