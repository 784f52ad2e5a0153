"""Writing change events to the outbox, in the caller's transaction, and the one NOTIFY per transaction.

NOTIFY inside a transaction is delivered at commit, and PostgreSQL folds identical notifications of one
transaction into one: every write notifies the transaction's FIRST outbox id, so a transaction sends one
NOTIFY however many events it wrote. Listeners read every outbox row of that transaction (same txid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Integer, Text, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb.db.schema import outbox
from nocodedb.db.types import json_records
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


def _insert_events() -> Any:
    """INSERT of a JSON list of events, one statement whatever their number: SQLAlchemy caches its
    compiled form (a multi-row VALUES was compiled again on every write, ~2 ms of each request)."""
    listed = json_records(
        "events",
        "e",
        column("n", Integer),
        column("database_id", BigInteger),
        column("table_id", BigInteger),
        column("event_type", Text),
        column("payload", JSONB),
    )
    rows = select(
        func.txid_current(),
        listed.c.database_id,
        listed.c.table_id,
        listed.c.event_type,
        listed.c.payload,
        bindparam("actor_user_id", type_=BigInteger),
        bindparam("actor_token_id", type_=BigInteger),
        bindparam("client_id", type_=Text),
    ).order_by(listed.c.n)  # ids in the order of the list
    columns = ["txid", "database_id", "table_id", "event_type", "payload", "actor_user_id", "actor_token_id"]
    inserted = insert(outbox).from_select([*columns, "client_id"], rows).returning(outbox.c.id).cte("inserted")
    # Notify the transaction's first outbox id (the CTE's own rows are not visible to the outer SELECT's
    # scan of outbox, hence LEAST of both).
    earlier = select(func.min(outbox.c.id)).where(outbox.c.txid == func.txid_current()).scalar_subquery()
    first = func.least(select(func.min(inserted.c.id)).scalar_subquery(), earlier)
    return select(inserted.c.id, func.pg_notify(CHANNEL, cast(first, Text))).order_by(inserted.c.id)


INSERT_EVENTS = _insert_events()


async def write_events(conn: AsyncConnection, actor: Actor | None, events: list[Event]) -> list[int]:
    """Insert the events and notify, in one round trip; return their outbox ids in order."""
    if not events:
        return []
    listed = [
        {"n": n, "database_id": e.database_id, "table_id": e.table_id, "event_type": e.event_type, "payload": e.payload}
        for n, e in enumerate(events)
    ]
    found = await conn.execute(
        INSERT_EVENTS,
        {
            "events": listed,
            "actor_user_id": actor.user_id if actor is not None else None,
            "actor_token_id": actor.token.token_id if actor is not None and actor.token is not None else None,
            "client_id": current_client_id.get(),
        },
    )
    return [int(r.id) for r in found]
