"""What services call: one function per kind of change, run in the service's transaction.

Each writes ids-only events to the outbox (for live updates) and queues the matching webhook
deliveries (with full items), and turns the rows the computed engine changed in other tables into
rows.updated events of those tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb.db.schema import databases, tables, webhooks
from nocodedb.events.outbox import Event, write_events
from nocodedb.events.recomputed import take_recomputed
from nocodedb.events.webhook_queue import enqueue
from nocodedb.queries.rows import FieldSet, fetch_rows, row_to_api
from nocodedb.services import row_history  # row history: entries written beside the events
from nocodedb.services.actor import Actor, TableScope
from nocodedb.services.metadata import load_fields

# Rows per event for rows recomputed in other tables (a lookup change can touch a whole table).
CHUNK = 200


def _api(records: Sequence[Any], fieldset: FieldSet, field_types: Registry[FieldType], names: bool) -> list[Any]:
    return [row_to_api(r, fieldset, field_types, user_field_names=names) for r in records]


def changed_fields(before: Any, after: Any) -> set[int]:
    """Ids of the fields whose stored value differs between two versions of a row."""
    old, new = before.data or {}, after.data or {}
    return {int(k) for k in old.keys() | new.keys() if (k.isascii() and k.isdigit()) and old.get(k) != new.get(k)}


async def _emit(conn: AsyncConnection, actor: Actor | None, scope: TableScope, event: Event, **queue: Any) -> None:
    (outbox_id,) = await write_events(conn, actor, [event])
    if scope.has_webhooks is False:  # known from the scope's own query: no webhook to ask about
        return
    await enqueue(
        conn,
        table_id=scope.table_id,
        database_id=scope.database_id,
        workspace_id=scope.workspace_id,
        event_type=event.event_type,
        outbox_id=outbox_id,
        **queue,
    )


async def rows_created(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    records: Sequence[Any],
) -> None:
    if not records:
        return
    ids = [r.id for r in records]

    async def body(names: bool) -> dict[str, Any]:
        return {"items": _api(records, fieldset, field_types, names)}

    event = Event("rows.created", scope.database_id, scope.table_id, {"row_ids": ids})
    await _emit(conn, actor, scope, event, make_body=body)
    if actor.kind == "form":  # row history: see nocodedb/services/row_history.py for why only forms
        await row_history.record_creations(conn, actor, scope, fieldset, field_types, records)
    await flush_recomputed(conn, actor, scope, field_types, skip=set(ids))


async def rows_before_update(
    conn: AsyncConnection, scope: TableScope, fieldset: FieldSet, field_types: Registry[FieldType], ids: list[int]
) -> list[Any]:
    """The rows as they are before an update, locked for it: to know what changed, and for webhooks'
    old_items. Reading and locking in one statement saves a round trip on every edit."""
    return await fetch_rows(conn, scope.table_id, scope.database_id, ids, fieldset, field_types, lock=True)


async def rows_updated(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    before: Sequence[Any],
    after: Sequence[Any],
) -> None:
    """rows.updated for the rows whose values really changed; nothing when nothing changed."""
    old_by_id = {r.id: r for r in before}
    changes = {r.id: changed_fields(old_by_id[r.id], r) for r in after if r.id in old_by_id}
    changed_rows = [r for r in after if changes.get(r.id)]
    if changed_rows:
        all_fields = set().union(*(changes[r.id] for r in changed_rows))
        old_rows = [old_by_id[r.id] for r in changed_rows]

        async def body(names: bool) -> dict[str, Any]:
            return {
                "items": _api(changed_rows, fieldset, field_types, names),
                "old_items": _api(old_rows, fieldset, field_types, names),
            }

        payload = {
            "row_ids": [r.id for r in changed_rows],
            "field_ids": sorted(all_fields),
            "fields_by_row": {str(r.id): sorted(changes[r.id]) for r in changed_rows},
        }
        event = Event("rows.updated", scope.database_id, scope.table_id, payload)
        await _emit(conn, actor, scope, event, make_body=body, changed_fields=all_fields)
        await row_history.record_updates(conn, actor, scope, fieldset, field_types, old_by_id, changed_rows, changes)
    await flush_recomputed(conn, actor, scope, field_types, skip={r.id for r in after})


async def rows_deleted(
    conn: AsyncConnection, actor: Actor, scope: TableScope, ids: list[int], field_types: Any
) -> None:
    if not ids:
        return

    async def body(names: bool) -> dict[str, Any]:
        return {"row_ids": ids}

    await _emit(
        conn, actor, scope, Event("rows.deleted", scope.database_id, scope.table_id, {"row_ids": ids}), make_body=body
    )
    await flush_recomputed(conn, actor, scope, field_types, skip=set(ids))


async def field_event(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    event_type: str,
    field_id: int,
    field: dict[str, Any] | None = None,
    field_types: Any = None,
    also_deleted: Sequence[int] = (),
) -> None:
    """field.created / field.updated (with the field's answer for webhooks) / field.deleted."""
    payload: dict[str, Any] = {"field_id": field_id}
    if also_deleted:
        payload["related_field_ids"] = list(also_deleted)

    async def body(names: bool) -> dict[str, Any]:
        return {"field": field} if field is not None else {"field_id": field_id}

    await _emit(conn, actor, scope, Event(event_type, scope.database_id, scope.table_id, payload), make_body=body)
    if field_types is not None:
        await flush_recomputed(conn, actor, scope, field_types, skip=set(), skip_table=scope.table_id)


async def flush_recomputed(
    conn: AsyncConnection,
    actor: Actor | None,
    scope: TableScope,
    field_types: Registry[FieldType],
    *,
    skip: set[int],
    skip_table: int | None = None,
) -> None:
    """rows.updated events for rows the computed engine changed, except the rows the caller reported."""
    for table_id, per_row in sorted(take_recomputed(conn).items()):
        if table_id == skip_table:
            continue
        wanted = {
            row_id: fields for row_id, fields in per_row.items() if table_id != scope.table_id or row_id not in skip
        }
        if not wanted:
            continue
        other = TableScope(table_id, scope.database_id, scope.workspace_id, "", None)
        ordered = sorted(wanted)
        chunks = [{i: wanted[i] for i in ordered[start : start + CHUNK]} for start in range(0, len(ordered), CHUNK)]
        # One insert for all the chunks' events and one look for webhooks: a rename seen by 10,000 linked
        # rows makes 50 events, which one round trip each made a visible part of the write.
        outbox_ids = await write_events(conn, actor, [_recomputed_event(other, chunk) for chunk in chunks])
        if not await _has_active_webhooks(conn, table_id):
            continue
        for chunk, outbox_id in zip(chunks, outbox_ids, strict=True):
            await _enqueue_recomputed(conn, other, field_types, chunk, outbox_id)


async def _has_active_webhooks(conn: AsyncConnection, table_id: int) -> bool:
    found = await conn.execute(
        select(webhooks.c.id).where(webhooks.c.table_id == table_id, webhooks.c.active.is_(True)).limit(1)
    )
    return found.first() is not None


def _recomputed_event(scope: TableScope, wanted: dict[int, set[int]]) -> Event:
    ids = sorted(wanted)
    field_ids = set().union(*wanted.values())
    payload: dict[str, Any] = {"row_ids": ids, "field_ids": sorted(field_ids), "recomputed": True}
    if any(fields != field_ids for fields in wanted.values()):
        # Only when the rows differ: a rename seen by 10,000 linked rows changed the same field on each.
        payload["fields_by_row"] = {str(i): sorted(wanted[i]) for i in ids}
    return Event("rows.updated", scope.database_id, scope.table_id, payload)


async def _enqueue_recomputed(
    conn: AsyncConnection,
    scope: TableScope,
    field_types: Registry[FieldType],
    wanted: dict[int, set[int]],
    outbox_id: int,
) -> None:
    ids = sorted(wanted)

    async def body(names: bool) -> dict[str, Any]:
        fieldset = FieldSet(await load_fields(conn, scope.table_id))
        records = await fetch_rows(conn, scope.table_id, scope.database_id, ids, fieldset, field_types)
        return {"items": _api(records, fieldset, field_types, names), "recomputed": True}

    await enqueue(
        conn,
        table_id=scope.table_id,
        database_id=scope.database_id,
        workspace_id=scope.workspace_id,
        event_type="rows.updated",
        outbox_id=outbox_id,
        make_body=body,
        changed_fields=set().union(*wanted.values()),
    )


async def fields_deleted(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    deleted: Any,
    related: Sequence[Any],
    field_types: Registry[FieldType],
) -> None:
    """field.deleted for the field and for the fields deleted with it (a link's other side), each in its table."""
    await field_event(conn, actor, scope, "field.deleted", deleted.id, None, None, [r.id for r in related])
    for other in related:
        other_scope = TableScope(other.table_id, scope.database_id, scope.workspace_id, "", None)
        await field_event(conn, actor, other_scope, "field.deleted", other.id)
    await flush_recomputed(conn, actor, scope, field_types, skip=set(), skip_table=scope.table_id)


# --- view events -------------------------------------------------------------------------------------

# The views table's columns as the parts of a view a client refreshes ("changed" in view.updated).
VIEW_PARTS = {
    "name": "name",
    "order": "order",
    "options": "options",
    "filters": "filters",
    "filter_groups": "filters",
    "filter_type": "filters",
    "filters_disabled": "filters",
    "sorts": "sorts",
    "group_bys": "group_bys",
    "field_options": "field_options",
    "decorations": "decorations",
    "public": "public",
    "password_hash": "public",
    "slug": "public",
}


def view_parts(columns: Iterable[str]) -> list[str]:
    return sorted({VIEW_PARTS.get(c, c) for c in columns})


async def _scope_of_table(conn: AsyncConnection, table_id: int) -> TableScope:
    """The table's scope without an access check: view writers have checked access to the view already."""
    found = (
        await conn.execute(
            select(tables.c.database_id, databases.c.workspace_id)
            .join(databases, databases.c.id == tables.c.database_id)
            .where(tables.c.id == table_id)
        )
    ).one()
    return TableScope(table_id, found.database_id, found.workspace_id, "", None)


async def view_event(
    conn: AsyncConnection,
    actor: Actor | None,
    event_type: str,
    view: Any,
    *,
    scope: TableScope | None = None,
    changed: Iterable[str] = (),
) -> None:
    """view.created / view.updated (with the view's columns that changed) / view.deleted.

    `view` is the views row as it is after the change (before it, for a deletion). Webhooks get Baserow's
    shape: {"view": <the view as the views API answers it>}, or {"view_id"} for a deletion.
    """
    if scope is None or scope.table_id != view.table_id:
        scope = await _scope_of_table(conn, view.table_id)
    payload: dict[str, Any] = {"view_id": view.id}
    if event_type == "view.updated":
        payload["changed"] = view_parts(changed)

    async def body(names: bool) -> dict[str, Any]:
        if event_type == "view.deleted":
            return {"view_id": view.id}
        from nocodedb.services.views import view_json  # the views service imports this module

        # Without `include`, the answer needs no field or filter registry (Baserow's plain view serializer).
        no_fields: Registry[FieldType] = Registry("field type")
        return {"view": view_json(view, [], no_fields, Registry("filter type"))}

    await _emit(conn, actor, scope, Event(event_type, scope.database_id, scope.table_id, payload), make_body=body)
