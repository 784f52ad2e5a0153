"""Writing change events to the outbox, in the caller's transaction, and the one NOTIFY per transaction.

NOTIFY inside a transaction is delivered at commit, and PostgreSQL folds identical notifications of one
transaction into one: every write notifies the transaction's FIRST outbox id, so a transaction sends one
NOTIFY however many events it wrote. Listeners read every outbox row of that transaction (same txid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb.db.schema import outbox
from nocodedb.events.client import current_client_id
from nocodedb.services.actor import Actor

CHANNEL = "ncdb_events"
# Deliveries were queued (nocodedb/events/webhook_queue.py): only this wakes the webhook workers.
WEBHOOK_CHANNEL = "ncdb_webhooks"


@dataclass
class Event:
    event_type: str
    database_id: int | None
    table_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)  # ids only, never values


async def write_events(conn: AsyncConnection, actor: Actor | None, events: list[Event]) -> list[int]:
    """Insert the events; return their outbox ids in order."""
    if not events:
        return []
    token_id = actor.token.token_id if actor is not None and actor.token is not None else None
    values = [
        {
            "txid": func.txid_current(),
            "database_id": e.database_id,
            "table_id": e.table_id,
            "event_type": e.event_type,
            "payload": e.payload,
            "actor_user_id": actor.user_id if actor is not None else None,
            "actor_token_id": token_id,
            "client_id": current_client_id.get(),
        }
        for e in events
    ]
    # One round trip: insert, and notify the transaction's first outbox id (the CTE's own rows are not
    # visible to the outer SELECT's scan of outbox, hence LEAST of both).
    inserted = insert(outbox).values(values).returning(outbox.c.id).cte("inserted")
    earlier = select(func.min(outbox.c.id)).where(outbox.c.txid == func.txid_current()).scalar_subquery()
    first = func.least(select(func.min(inserted.c.id)).scalar_subquery(), earlier)
    found = await conn.execute(
        select(inserted.c.id, func.pg_notify(CHANNEL, cast(first, Text))).order_by(inserted.c.id)
    )
    ids = [int(r.id) for r in found]
    return ids
