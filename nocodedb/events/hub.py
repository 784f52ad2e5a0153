"""The live hub of one server process: which sockets watch which tables, presence, and the fan-out.

Messages carry ids and the event type only; clients fetch what changed through the API. Each socket has
a bounded queue drained by its own task, so one slow client never holds the others back; a client whose
queue overflows gets a single {"type": "resync"} instead of what it missed.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from nocodedb.events.listener import OutboxEvent

QUEUE_SIZE = 500
_ids = itertools.count(1)


@dataclass(eq=False)
class LiveSocket:
    send: Callable[[dict[str, Any]], Awaitable[None]]
    user_id: int | None
    user_name: str | None
    client_id: str | None
    # table id -> the field ids this socket may see (None: every field)
    tables: dict[int, frozenset[int] | None] = field(default_factory=dict)
    # A shared view's visitor: the one view whose events it gets (None: a signed-in user, every view)
    view_id: int | None = None
    id: int = field(default_factory=lambda: next(_ids))
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False

    def push(self, message: dict[str, Any]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True

    async def pump(self) -> None:
        """Send queued messages until cancelled (run as the socket's own task)."""
        while True:
            if self.overflowed and self.queue.empty():
                self.overflowed = False
                await self.send({"type": "resync"})
            message = await self.queue.get()
            await self.send(message)


def message_for(socket: LiveSocket, event: OutboxEvent) -> dict[str, Any] | None:
    """The message this socket gets for this event, or None (its own echo, or nothing it may see)."""
    if event.table_id is None or event.table_id not in socket.tables:
        return None
    if socket.client_id is not None and socket.client_id == event.client_id:
        return None
    visible = socket.tables[event.table_id]
    payload = event.payload
    message: dict[str, Any] = {"type": event.event_type, "table_id": event.table_id, "event_id": event.id}
    if event.event_type.startswith("rows."):
        message["row_ids"] = payload.get("row_ids", [])
        if "field_ids" in payload:
            field_ids = [f for f in payload["field_ids"] if visible is None or f in visible]
            if not field_ids and visible is not None:
                return None
            message["field_ids"] = field_ids
        if payload.get("recomputed"):
            message["recomputed"] = True
        return message
    if event.event_type.startswith("field."):
        if visible is not None and payload.get("field_id") not in visible:
            return None
        message["field_id"] = payload.get("field_id")
        return message
    if event.event_type.startswith("view."):
        if socket.view_id is not None and payload.get("view_id") != socket.view_id:
            return None  # a visitor never learns of the table's other views
        message["view_id"] = payload.get("view_id")
        if "changed" in payload:
            message["changed"] = payload["changed"]
        if socket.user_id is not None:  # who changed it, for the page's notice; never told to visitors
            message["user_id"] = event.actor_user_id
        return message
    return None if visible is not None else message


class LiveHub:
    def __init__(self) -> None:
        self.sockets: set[LiveSocket] = set()
        self.by_table: dict[int, set[LiveSocket]] = {}

    def add(self, socket: LiveSocket) -> None:
        self.sockets.add(socket)

    def remove(self, socket: LiveSocket) -> None:
        self.sockets.discard(socket)
        for table_id in list(socket.tables):
            self.unsubscribe(socket, table_id)

    def subscribe(self, socket: LiveSocket, table_id: int, visible: frozenset[int] | None) -> None:
        socket.tables[table_id] = visible
        self.by_table.setdefault(table_id, set()).add(socket)
        self._presence(table_id)

    def unsubscribe(self, socket: LiveSocket, table_id: int) -> None:
        socket.tables.pop(table_id, None)
        watchers = self.by_table.get(table_id)
        if watchers is not None:
            watchers.discard(socket)
            if not watchers:
                del self.by_table[table_id]
        self._presence(table_id)

    def presence(self, table_id: int) -> list[dict[str, Any]]:
        """Who is looking at the table: signed-in users (public visitors are counted, never named)."""
        users: dict[int, dict[str, Any]] = {}
        anonymous = 0
        for s in self.by_table.get(table_id, set()):
            if s.user_id is None:
                anonymous += 1
                continue
            entry = users.setdefault(s.user_id, {"user_id": s.user_id, "name": s.user_name, "connections": 0})
            entry["connections"] += 1
        listed = sorted(users.values(), key=lambda u: u["user_id"])
        return [*listed, {"anonymous": anonymous}] if anonymous else listed

    def _presence(self, table_id: int) -> None:
        message = {"type": "presence", "table_id": table_id, "users": self.presence(table_id)}
        for s in self.by_table.get(table_id, set()):
            if s.user_id is not None:  # public visitors do not learn who else is looking
                s.push(message)

    async def publish(self, events: list[OutboxEvent]) -> None:
        for event in events:
            for s in list(self.by_table.get(event.table_id or 0, ())):
                message = message_for(s, event)
                if message is not None:
                    s.push(message)

    async def resync_all(self) -> None:
        for s in list(self.sockets):
            s.push({"type": "resync"})
