"""LISTEN ncdb_events on a dedicated asyncpg connection and hand each transaction's events out.

A notification names the first outbox id of a committed transaction; the listener reads every outbox
row of that transaction and calls the subscribers (the live hub, the webhook worker's wake-up). When the
connection drops it reconnects with backoff and tells subscribers to resync (they may have missed events).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import URL

from nocodedb.events.outbox import CHANNEL, WEBHOOK_CHANNEL

log = logging.getLogger(__name__)
APPLICATION_NAME = "nocodedb-events-listener"

READ_TRANSACTION = """
SELECT id, database_id, table_id, event_type, payload::text AS payload, client_id, actor_user_id
FROM outbox
WHERE txid = (SELECT txid FROM outbox WHERE id = $1) AND id >= $1
ORDER BY id
"""


@dataclass(frozen=True)
class OutboxEvent:
    id: int
    database_id: int | None
    table_id: int | None
    event_type: str
    payload: dict[str, Any]
    client_id: str | None
    actor_user_id: int | None


Subscriber = Callable[[list[OutboxEvent]], Awaitable[None]]


def asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class OutboxListener:
    def __init__(
        self,
        dsn: str,
        on_events: Subscriber,
        on_resync: Callable[[], Awaitable[None]],
        *,
        on_webhooks: Callable[[], None] = lambda: None,
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        self.dsn = dsn
        self.on_events = on_events
        self.on_resync = on_resync
        self.on_webhooks = on_webhooks  # deliveries were queued: wake the worker
        self.wanted = wanted  # is anyone here listening? If not, a write costs this process no query
        self._queue: asyncio.Queue[int | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ncdb-outbox-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if channel == WEBHOOK_CHANNEL:
            self.on_webhooks()
        elif payload.isascii() and payload.isdigit():
            self._queue.put_nowait(int(payload))

    def _terminated(self, connection: Any) -> None:
        self._queue.put_nowait(None)

    async def _run(self) -> None:
        delay = 0.5
        first = True
        while True:
            try:
                conn = await asyncpg.connect(self.dsn, server_settings={"application_name": APPLICATION_NAME})
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("events listener cannot connect (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            try:
                await conn.add_listener(CHANNEL, self._notified)
                await conn.add_listener(WEBHOOK_CHANNEL, self._notified)
                conn.add_termination_listener(self._terminated)
                delay = 0.5
                self.ready.set()
                if not first:
                    await self.on_resync()
                first = False
                await self._consume(conn)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("events listener lost its connection (%s)", exc)
            finally:
                self.ready.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(conn.close(timeout=2))

    async def _consume(self, conn: asyncpg.Connection) -> None:
        while True:
            first_id = await self._queue.get()
            if first_id is None:
                return  # the connection ended: reconnect
            if not self.wanted():
                continue
            records = await conn.fetch(READ_TRANSACTION, first_id)
            found = [
                OutboxEvent(
                    r["id"],
                    r["database_id"],
                    r["table_id"],
                    r["event_type"],
                    orjson.loads(r["payload"]),
                    r["client_id"],
                    r["actor_user_id"],
                )
                for r in records
            ]
            try:
                await self.on_events(found)
            except Exception:
                log.exception("events subscriber failed")
