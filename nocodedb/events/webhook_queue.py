"""Queueing webhook deliveries in the change's own transaction: the body is built now, sent later.

Building the body here keeps it exact (the values as of this change, and the old values of an update),
and makes the queue durable: a delivery committed before a crash is sent after the restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import BigInteger, Text, column, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb.db.schema import webhook_deliveries, webhooks
from nocodedb.db.types import json_records
from nocodedb.events.outbox import WEBHOOK_CHANNEL

BodyMaker = Callable[[bool], Awaitable[dict[str, Any]]]


def wants(hook: Any, event_type: str, changed_fields: set[int] | None) -> bool:
    """Does this webhook take this event (its events list, and events_config's field condition)?"""
    if not hook.include_all_events and event_type not in (hook.events or []):
        return False
    if event_type == "rows.updated" and changed_fields is not None:
        for config in hook.events_config or []:
            chosen = config.get("fields") if isinstance(config, dict) else None
            if config.get("event_type") == "rows.updated" and chosen:
                return bool({int(c) for c in chosen} & changed_fields)
    return True


async def enqueue(
    conn: AsyncConnection,
    *,
    table_id: int,
    database_id: int,
    workspace_id: int,
    event_type: str,
    outbox_id: int | None,
    make_body: BodyMaker,
    changed_fields: set[int] | None = None,
) -> int:
    """Queue one delivery per active webhook of the table that takes this event; return how many."""
    hooks = (
        await conn.execute(select(webhooks).where(webhooks.c.table_id == table_id, webhooks.c.active.is_(True)))
    ).all()
    chosen = [h for h in hooks if wants(h, event_type, changed_fields)]
    if not chosen:
        return 0
    bodies: dict[bool, dict[str, Any]] = {}
    values = []
    for hook in chosen:
        if hook.use_user_field_names not in bodies:
            bodies[hook.use_user_field_names] = await make_body(hook.use_user_field_names)
        event_id = str(uuid.uuid4())
        body = {
            "table_id": table_id,
            "database_id": database_id,
            "workspace_id": workspace_id,
            "webhook_id": hook.id,
            "event_id": event_id,
            "event_type": event_type,
            **bodies[hook.use_user_field_names],
        }
        values.append(
            {
                "webhook_id": hook.id,
                "outbox_id": outbox_id,
                "event_id": event_id,
                "event_type": event_type,
                "body": body,
            }
        )
    await conn.execute(QUEUE_DELIVERIES, {"deliveries": values})
    return len(values)


def _queue_deliveries() -> Any:
    """Insert a JSON list of deliveries and wake the workers (at commit), in one round trip. One statement
    whatever the number of webhooks, so SQLAlchemy caches its compiled form (a multi-row VALUES was
    compiled again on every write)."""
    listed = json_records(
        "deliveries",
        "d",
        column("webhook_id", BigInteger),
        column("outbox_id", BigInteger),
        column("event_id", Text),
        column("event_type", Text),
        column("body", JSONB),
    )
    columns = ["webhook_id", "outbox_id", "event_id", "event_type", "body"]
    queued = (
        insert(webhook_deliveries)
        .from_select(columns, select(*(listed.c[c] for c in columns)))
        .returning(webhook_deliveries.c.id)
        .cte("queued")
    )
    return select(func.count(), func.pg_notify(WEBHOOK_CHANNEL, "")).select_from(queued)


QUEUE_DELIVERIES = _queue_deliveries()
