"""Fields and views in the trash, and what restoring any structure needs: values, edges, recomputes.

A field entry keeps the field's metadata (and a link's other side) in payload, its values as
{field key: value} objects in trashed_rows, and its relation's links in trashed_links. Tables and
databases are in trash_tables.py.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.link import relation_of
from nocodedb import errors, events
from nocodedb.computed.engine import DatabaseGraph, Recomputer, load_graph, lock_database
from nocodedb.computed.setup import default_edges, store_edges
from nocodedb.db.schema import edit_links, field_dependencies, links, tables, views
from nocodedb.db.schema import fields as fields_table
from nocodedb.services import trash
from nocodedb.services.actor import Actor, TableScope, table_scope
from nocodedb.services.metadata import field_json, to_field
from nocodedb.services.trash_rows import keep_links
from views.filters import FilterType

_KEEP_VALUES = text(
    """
    INSERT INTO trashed_rows
        (entry_id, database_id, table_id, id, "order", data, created_at, updated_at, created_by, updated_by)
    SELECT :entry_id, database_id, table_id, id, "order",
           (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(r.data) AS e WHERE e.key = ANY(:keys)),
           created_at, updated_at, created_by, updated_by
    FROM rows r WHERE r.table_id = :table_id AND r.data ?| :keys
    """
).bindparams(bindparam("keys", type_=ARRAY(Text)))

_RESTORE_VALUES = text(
    """
    UPDATE rows SET data = rows.data || t.data
    FROM trashed_rows t
    WHERE t.entry_id = :entry_id AND t.table_id = :table_id AND rows.table_id = :table_id AND rows.id = t.id
    """
)


# --- keeping ---------------------------------------------------------------------------------------------


async def keep_fields(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    entry_id: int,
    gone: list[Field],
    values_of: list[Field] | None = None,
) -> dict[str, Any]:
    """Snapshot fields about to be deleted: metadata, edges, values (of `values_of`, by default all of
    them) and their relations' links; return the payload part."""
    ids = [f.id for f in gone]
    by_table: dict[int, list[str]] = {}
    for f in gone if values_of is None else values_of:
        by_table.setdefault(f.table_id, []).append(f.key)
    for table_id, keys in by_table.items():
        await conn.execute(_KEEP_VALUES, {"entry_id": entry_id, "table_id": table_id, "keys": keys})
    relations = sorted({relation_of(f)[0] for f in gone if f.type == "link_row"})
    if relations:
        await keep_links(conn, entry_id, links.c.field_id.in_(relations))
    gone_ids = set(ids)
    return {
        "fields": await trash.snapshot(conn, fields_table, fields_table.c.id.in_(ids)),
        "edges": await trash.snapshot(conn, field_dependencies, field_dependencies.c.dependent_id.in_(ids)),
        # Fields elsewhere that read these: their edges are rebuilt and values recomputed on restore.
        "dependents": sorted(
            {e.dependent for e in graph.edges if (e.source in gone_ids or e.via in gone_ids)} - gone_ids
        ),
    }


async def trash_field(conn: AsyncConnection, actor: Actor, scope: TableScope, f: Field, graph: DatabaseGraph) -> None:
    """Called by delete_field before the field (and a link's other side) is removed."""
    gone = [f]
    if f.type == "link_row":
        other = graph.fields_by_id.get(int(f.options.get("link_row_related_field_id") or 0))
        if other is not None and other.id != f.id:
            gone.append(other)
    entry_id = await trash.new_entry(
        conn,
        actor.user_id,
        workspace_id=scope.workspace_id,
        database_id=scope.database_id,
        table_id=f.table_id,
        item_type="field",
        item_id=f.id,
        parent_id=f.table_id,
        name=f.name,
    )
    await trash.set_payload(conn, entry_id, await keep_fields(conn, graph, entry_id, gone))


async def trash_view(conn: AsyncConnection, actor: Actor, view: Any, scope: TableScope) -> None:
    """Called by delete_view: the view (filters, sorts, options live in its row) and its edit links."""
    await trash.new_entry(
        conn,
        actor.user_id,
        workspace_id=scope.workspace_id,
        database_id=scope.database_id,
        table_id=view.table_id,
        item_type="view",
        item_id=view.id,
        parent_id=view.table_id,
        name=view.name,
        payload={
            "views": await trash.snapshot(conn, views, views.c.id == view.id),
            "edit_links": await trash.snapshot(conn, edit_links, edit_links.c.view_id == view.id),
        },
    )


# --- restoring -------------------------------------------------------------------------------------------


async def free_names(conn: AsyncConnection, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A field made since with the same name keeps it; the restored one gets a numbered name."""
    out = []
    for item in items:
        taken = {
            n.lower()
            for n in (
                await conn.execute(select(fields_table.c.name).where(fields_table.c.table_id == item["table_id"]))
            ).scalars()
        }
        name, n = item["name"], 2
        while name.lower() in taken:
            name, n = f"{item['name'][:240]} ({n})", n + 1
        out.append({**item, "name": name})
    return out


async def restore_edges(conn: AsyncConnection, items: list[dict[str, Any]]) -> None:
    """Put back the restored fields' own edges; a source deleted since is kept by name."""
    if not items:
        return
    wanted = {i["source_id"] for i in items if i["source_id"] is not None}
    alive = set((await conn.execute(select(fields_table.c.id).where(fields_table.c.id.in_(wanted)))).scalars())
    fixed = [
        {**i, "source_id": i["source_id"] if i["source_id"] in alive else None}
        for i in items
        if i["dependent_id"] is not None
    ]
    await trash.reinsert(conn, field_dependencies, fixed)


async def restore_values(conn: AsyncConnection, entry_id: int, table_ids: set[int]) -> None:
    for table_id in sorted(table_ids):
        await conn.execute(_RESTORE_VALUES, {"entry_id": entry_id, "table_id": table_id})


async def recompute_after_restore(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    restored: list[Field],
    dependents: list[int],
    dirty: dict[int, set[int]],
) -> None:
    """Restored computed fields and everything that read the restored fields get correct values again."""
    from nocodedb.services.computed_fields import refresh_formulas_naming
    from nocodedb.services.formula_fields import formula_edges, refresh_formula

    everywhere: set[int] = set()
    for f in restored:
        if f.type == "formula":
            graph.fields_by_id[f.id] = await refresh_formula(conn, graph, field_types, f)
        if f.type in ("link_row", "lookup", "rollup", "count", "formula"):
            everywhere.add(f.id)
    for dependent_id in dependents:
        dependent = graph.fields_by_id.get(dependent_id)
        if dependent is None:
            continue
        if dependent.type == "formula":
            dependent = await refresh_formula(conn, graph, field_types, dependent)
            await store_edges(conn, graph, dependent, formula_edges(dependent, graph))
        else:
            try:
                await store_edges(conn, graph, dependent, default_edges(dependent, graph))
            except (errors.APIError, KeyError, ValueError):
                continue  # its options name something else that is gone: it stays empty, as before
        everywhere.add(dependent.id)
    await Recomputer(conn, graph, field_types, filter_types).run(dirty=dirty, everywhere=everywhere)
    for f in restored:
        # Formulas that named the field while it was gone bind to it again.
        await refresh_formulas_naming(conn, graph, field_types, filter_types, graph.fields_by_id.get(f.id, f))


async def restore_field(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    entry: Any,
) -> None:
    from nocodedb.services.trash_rows import check_table_alive, restore_links

    await check_table_alive(conn, entry)
    scope = await table_scope(conn, actor, entry.table_id, minimum="builder")
    items = list(entry.payload.get("fields", []))
    for item in items:
        if item["type"] == "link_row":
            target = int(item["options"].get("link_row_table_id") or 0)
            there = (await conn.execute(select(tables.c.id).where(tables.c.id.in_([target, item["table_id"]])))).all()
            if len(there) < len({target, item["table_id"]}):
                raise trash.CannotRestore("The table this link field points to is in the trash or gone.")
    await lock_database(conn, scope.database_id)
    items = await free_names(conn, items)
    await trash.reinsert(conn, fields_table, items)
    await restore_edges(conn, list(entry.payload.get("edges", [])))
    await restore_values(conn, entry.id, {i["table_id"] for i in items})
    graph = await load_graph(conn, scope.database_id)
    dirty = await restore_links(conn, graph, entry.id)
    restored = [graph.fields_by_id[i["id"]] for i in items]
    await recompute_after_restore(
        conn, graph, field_types, filter_types, restored, list(entry.payload.get("dependents", [])), dirty
    )
    for f in restored:
        f = graph.fields_by_id.get(f.id, f)
        f_scope = TableScope(f.table_id, scope.database_id, scope.workspace_id, "", None)
        await events.field_event(conn, actor, f_scope, "field.created", f.id, field_json(f, field_types), field_types)


async def restore_view(conn: AsyncConnection, actor: Actor, entry: Any) -> None:
    from nocodedb.services.trash_rows import check_table_alive

    await check_table_alive(conn, entry)
    await table_scope(conn, actor, entry.table_id, minimum="builder")
    await trash.reinsert(conn, views, list(entry.payload.get("views", [])))
    await trash.reinsert(conn, edit_links, list(entry.payload.get("edit_links", [])))
    for row in (await conn.execute(select(views).where(views.c.id == entry.item_id))).all():  # view events
        await events.view_event(conn, actor, "view.created", row)


async def restore(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    entry: Any,
) -> None:
    from nocodedb.services import trash_tables

    if entry.item_type == "field":
        await restore_field(conn, field_types, filter_types, actor, entry)
    elif entry.item_type == "view":
        await restore_view(conn, actor, entry)
    elif entry.item_type == "table":
        await trash_tables.restore_table(conn, field_types, filter_types, actor, entry)
    elif entry.item_type == "database":
        await trash_tables.restore_database(conn, actor, entry)


# --- for good --------------------------------------------------------------------------------------------


async def drop_fields_ddl(conn: AsyncConnection, field_types: Registry[FieldType], items: list[dict[str, Any]]) -> None:
    """Per-field storage (autonumber sequences) outlives the trash and goes only now."""
    for item in items:
        f = to_field(SimpleNamespace(**trash.from_json(fields_table, item)))
        hook = getattr(field_types.get(f.type), "ddl_on_delete", None) if f.type in field_types else None
        alive = (await conn.execute(select(fields_table.c.id).where(fields_table.c.id == f.id))).first()
        if hook is not None and alive is None:
            for statement in hook(f):
                await conn.execute(text(statement))


async def drop_for_good(conn: AsyncConnection, field_types: Registry[FieldType], entry: Any) -> None:
    """What an entry keeps outside trash_entries / trashed_rows / trashed_links, dropped before the entry."""
    payload = entry.payload or {}
    await drop_fields_ddl(conn, field_types, list(payload.get("fields", [])))
    if entry.item_type in ("table", "database"):
        for item in payload.get("tables", []):
            table_id = int(item["id"])
            alive = (await conn.execute(select(tables.c.id).where(tables.c.id == table_id))).first()
            if alive is None:
                # Built from an integer id only; a table that is back in use is never dropped.
                await conn.execute(text(f"DROP TABLE IF EXISTS rows_{table_id}"))
