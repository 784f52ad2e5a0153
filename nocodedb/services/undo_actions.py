"""The inverse (undo) and the replay (redo) of each recorded action type, through the ordinary services.

Deletions go to the trash and come back from it with the same ids; updates write the other side's values.
Each function runs inside undo.py's savepoint, with an actor that records nothing; an APIError from a
service (row or field gone, role lost, value no longer valid) makes the whole group SKIPPED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import BigInteger, bindparam, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors, events
from nocodedb.computed.engine import load_graph, lock_database
from nocodedb.db.schema import fields as fields_table
from nocodedb.db.schema import rows, views
from nocodedb.queries.rows import FieldSet
from nocodedb.services import computed_fields, fields, trash
from nocodedb.services import rows as row_service
from nocodedb.services import views as view_service
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.metadata import field_json, load_field, load_fields
from nocodedb.services.undo import VIEW_COLUMNS, Types

Handler = Callable[[AsyncConnection, Types, Actor, Any, str], Awaitable[None]]


async def apply(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    handler = HANDLERS.get(action.action_type)
    if handler is None:
        raise errors.APIError(f"Actions of type {action.action_type!r} cannot be undone.")
    await handler(conn, types, actor, action, direction)


# --- rows ------------------------------------------------------------------------------------------------


async def _restore_rows(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    row_ids = action.params["row_ids"]
    try:
        await trash.restore(conn, types.fields, types.filters, actor, "row", row_ids[0], action.table_id)
    except trash.TrashItemNotFound:
        raise errors.RowNotFound("These rows were deleted for good: they cannot come back.") from None


async def _delete_rows(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    await row_service.delete_rows(
        conn, actor, action.table_id, action.params["row_ids"], field_types=types.fields, filter_types=types.filters
    )


async def create_rows(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _delete_rows(conn, types, actor, action)
    else:
        await _restore_rows(conn, types, actor, action)


async def delete_rows(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _restore_rows(conn, types, actor, action)
    else:
        await _delete_rows(conn, types, actor, action)


async def update_rows(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    """Write the before (undo) or after (redo) values back: last write wins, as in Baserow. Fields deleted
    since, or computed now, are left out."""
    side = "before" if direction == "undo" else "after"
    fieldset = FieldSet(await load_fields(conn, action.table_id))
    items = []
    for change in action.params["rows"]:
        values = {}
        for key, value in change[side].items():
            f = fieldset.find(key, False)
            if f is not None and not types.fields.get(f.type).read_only:
                values[key] = value
        items.append({**values, "id": change["id"]})
    await row_service.update_rows(
        conn, types.fields, actor, action.table_id, items, user_field_names=False, filter_types=types.filters
    )


# --- fields ----------------------------------------------------------------------------------------------


async def _restore_field(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    try:
        await trash.restore(conn, types.fields, types.filters, actor, "field", action.params["field_id"], None)
    except trash.TrashItemNotFound:
        raise errors.FieldNotFound("This field was deleted for good: it cannot come back.") from None


async def _delete_field(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    await fields.delete_field(conn, types.fields, actor, action.params["field_id"], types.filters)


async def create_field(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _delete_field(conn, types, actor, action)
    else:
        await _restore_field(conn, types, actor, action)


async def delete_field(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _restore_field(conn, types, actor, action)
    else:
        await _delete_field(conn, types, actor, action)


async def update_field(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    """Name, type and options back through the field service; on undo, the kept values written back."""
    params = action.params
    side = "before" if direction == "undo" else "after"
    field_id = params["field_id"]
    await fields.update_field(conn, types.fields, actor, field_id, dict(params[side]), types.filters)
    if direction == "undo" and "values" in params:
        await _put_values_back(conn, types, actor, field_id, params)


async def _put_values_back(
    conn: AsyncConnection, types: Types, actor: Actor, field_id: int, params: dict[str, Any]
) -> None:
    """The field has its old type again: its exact old options (the stored values name option ids) and the
    stored values kept when it changed, for the rows still there; then its readers are recomputed."""
    f = await load_field(conn, field_id)
    if f is None or f.type != params["before"]["type"]:
        raise errors.APIError("The field changed again meanwhile: its old values cannot be put back.")
    scope = await table_scope(conn, actor, f.table_id, minimum="builder")
    if f.options != params["options"]:
        await conn.execute(update(fields_table).where(fields_table.c.id == f.id).values(options=params["options"]))
        f = await load_field(conn, field_id)
        assert f is not None
    pairs = func.jsonb_each(bindparam("kept", params["values"], JSONB)).table_valued("key", "value")
    kept = select(cast(pairs.c.key, BigInteger).label("id"), pairs.c.value.label("value")).subquery("kept")
    await conn.execute(
        update(rows)
        .where(rows.c.table_id == f.table_id, rows.c.id == kept.c.id)
        .values(data=rows.c.data.op("||")(func.jsonb_build_object(literal(f.key), kept.c.value)))
    )
    await lock_database(conn, scope.database_id)
    graph = await load_graph(conn, scope.database_id)
    await computed_fields.values_changed_everywhere(conn, graph, types.fields, types.filters, f)
    # Pages reload the field and its rows on field.updated; rows recomputed in other tables follow.
    await events.field_event(conn, actor, scope, "field.updated", f.id, field_json(f, types.fields), types.fields)


# --- views -----------------------------------------------------------------------------------------------


async def _restore_view(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    try:
        await trash.restore(conn, types.fields, types.filters, actor, "view", action.params["view_id"], None)
    except trash.TrashItemNotFound:
        raise errors.ViewNotFound("This view was deleted for good: it cannot come back.") from None


async def _delete_view(conn: AsyncConnection, types: Types, actor: Actor, action: Any) -> None:
    await view_service.delete_view(conn, actor, action.params["view_id"])


async def create_view(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _delete_view(conn, types, actor, action)
    else:
        await _restore_view(conn, types, actor, action)


async def delete_view(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    if direction == "undo":
        await _restore_view(conn, types, actor, action)
    else:
        await _delete_view(conn, types, actor, action)


async def update_view(conn: AsyncConnection, types: Types, actor: Actor, action: Any, direction: str) -> None:
    """The view's name, options, filters, sorts or group-bys as they were before (or after) the change."""
    side = "before" if direction == "undo" else "after"
    await view_service.load_view(conn, actor, action.params["view_id"], "builder", lock=True)
    values = {c: v for c, v in action.params[side].items() if c in VIEW_COLUMNS}
    if values:
        row = (
            await conn.execute(
                update(views).where(views.c.id == action.params["view_id"]).values(**values).returning(views)
            )
        ).one()
        await events.view_event(conn, actor, "view.updated", row, changed=values)  # view events


HANDLERS: dict[str, Handler] = {
    "create_rows": create_rows,
    "delete_rows": delete_rows,
    "update_rows": update_rows,
    "create_field": create_field,
    "delete_field": delete_field,
    "update_field": update_field,
    "create_view": create_view,
    "delete_view": delete_view,
    "update_view": update_view,
}
