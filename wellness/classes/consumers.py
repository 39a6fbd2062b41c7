"""``/ws/v1/classes/<occurrence_id>/``: the live class session. Transport and groups only.

On connect the socket is sent the session state from the database, so joining late or
reconnecting resumes at the right segment and time. Messages in:
``{"action": "start"|"pause"|"resume"|"next"|"previous"|"goto"|"end", "index"?}`` (instructor),
``{"action": "hr", "hr": bpm}`` (a participant who opted in). Messages out:
``{"type": "state", "state": {...}}``, ``{"type": "meters", "meters": {...}}`` (everyone),
``{"type": "zone", "sharer": {"id", "name", "zone", "hr"?}}`` (instructor only) and
``{"type": "error", "error": {"code", "message"}}`` to the sender.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from wellness.classes import groups, selectors, services
from wellness.classes.services import INSTRUCTOR_ROLE
from wellness.core.errors import DomainError
from wellness.people.consumers import AuthenticatedConsumer
from wellness.people.models import TokenScope
from wellness.people.websocket import CLOSE_NOT_FOUND


class ClassSessionConsumer(AuthenticatedConsumer):
    token_scopes = (TokenScope.API,)

    async def joined(self) -> bool:
        self.occurrence_id = int(self.scope["url_route"]["kwargs"]["occurrence_id"])
        is_instructor = await self._role()
        if is_instructor is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        await self.join(groups.class_group(self.occurrence_id))
        if is_instructor:
            await self.join(groups.class_instructor_group(self.occurrence_id))
            self.roles.add(INSTRUCTOR_ROLE)
        self.accepted = True
        return True

    async def connect(self) -> None:
        self.accepted = False
        await super().connect()
        if self.accepted:
            # Read after joining the group: a change made meanwhile also arrives by broadcast,
            # and the client keeps whichever state has the higher revision.
            state = await self._state()
            if state is not None:
                await self.send_json({"type": "state", "state": state})

    @database_sync_to_async
    def _role(self) -> bool | None:
        """True for the instructor, False for a participant, None if this person may not join."""
        user = self.scope["user"]
        occurrence = selectors.occurrence_for(user=user, occurrence_id=self.occurrence_id)
        if occurrence is None:
            return None
        return selectors.is_instructor_of(user=user, occurrence=occurrence)

    @database_sync_to_async
    def _state(self) -> selectors.SessionState | None:
        occurrence = selectors.occurrence_for(
            user=self.scope["user"], occurrence_id=self.occurrence_id
        )
        return None if occurrence is None else selectors.session_state(occurrence=occurrence)

    @database_sync_to_async
    def _handle(self, content: dict[str, Any]) -> None:
        user = self.scope["user"]
        action = content.get("action")
        if action == "hr":
            services.live_hr_publish(
                user=user, occurrence_id=self.occurrence_id, hr=content.get("hr")
            )
        else:
            index = content.get("index")
            services.session_control(
                user=user,
                occurrence_id=self.occurrence_id,
                action=str(action),
                index=index if isinstance(index, int) else None,
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.reply_error("invalid", "Send a JSON object with an action.")
            return
        try:
            await self._handle(content)
        except DomainError as exc:
            await self.reply_error(exc.code, exc.message)

    async def reply_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "error": {"code": code, "message": message}})

    async def session_state(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "state", "state": event["state"]})

    async def class_meters(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "meters", "meters": event["meters"]})

    async def class_zone(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "zone", "sharer": event["sharer"]})
