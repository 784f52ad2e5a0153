"""Tables and databases in the trash: the partition is detached (rows stay where they are, untouched),
the metadata goes to payload and is inserted again with the same ids on restore.

Link fields of other tables that point into a trashed table go with it (their values and links are kept
beside the entry) and come back with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.link import relation_of
from nocodedb.computed.engine import load_graph, lock_database
from nocodedb.db.schema import (
    databases,
    edit_links,
    field_dependencies,
    links,
    tables,
    trashed_links,
    views,
    webhooks,
)
from nocodedb.db.schema import fields as fields_table
from nocodedb.services import trash
from nocodedb.services.actor import Actor, database_scope, workspace_role
from nocodedb.services.table_rewrite import remove_key
from nocodedb.services.trash_structure import (
    free_names,
    keep_fields,
    recompute_after_restore,
    restore_edges,
    restore_values,
)
from views.filters import FilterType


async def _detach(conn: AsyncConnection, table_id: int) -> None:
    # Identifiers are built from integer ids only: no user text reaches DDL.
    await conn.execute(text(f"ALTER TABLE rows DETACH PARTITION rows_{int(table_id)}"))


async def _attach(conn: AsyncConnection, table_id: int) -> None:
    await conn.execute(text(f"ALTER TABLE rows ATTACH PARTITION rows_{int(table_id)} FOR VALUES IN ({int(table_id)})"))


async def _table_metadata(conn: AsyncConnection, table_ids: list[int]) -> dict[str, Any]:
    view_ids = list((await conn.execute(select(views.c.id).where(views.c.table_id.in_(table_ids)))).scalars())
    return {
        "tables": await trash.snapshot(conn, tables, tables.c.id.in_(table_ids)),
        "views": await trash.snapshot(conn, views, views.c.table_id.in_(table_ids)),
        "edit_links": await trash.snapshot(conn, edit_links, edit_links.c.view_id.in_(view_ids)),
        "webhooks": await trash.snapshot(conn, webhooks, webhooks.c.table_id.in_(table_ids)),
    }


async def trash_table(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    workspace_id: int,
) -> None:
    """Called by delete_table (after its permission check) instead of dropping the storage."""
    from nocodedb.services.computed_fields import after_delete

    table = (await conn.execute(select(tables).where(tables.c.id == table_id))).one()
    await lock_database(conn, table.database_id)
    graph = await load_graph(conn, table.database_id)
    own = [f for f in graph.fields_by_id.values() if f.table_id == table_id]
    children = [
        f
        for f in graph.fields_by_id.values()
        if f.table_id != table_id and f.type == "link_row" and int(f.options.get("link_row_table_id") or 0) == table_id
    ]
    entry_id = await trash.new_entry(
        conn,
        actor.user_id,
        workspace_id=workspace_id,
        database_id=table.database_id,
        table_id=table_id,
        item_type="table",
        item_id=table_id,
        parent_id=table.database_id,
        name=table.name,
    )
    gone = own + children
    # Own values stay in the detached partition; only the other tables' link cells are copied.
    kept = await keep_fields(conn, graph, entry_id, gone, values_of=children)
    payload = {**(await _table_metadata(conn, [table_id])), **kept, "children": [f.id for f in children]}
    await trash.set_payload(conn, entry_id, payload)
    relations = sorted({relation_of(f)[0] for f in gone if f.type == "link_row"})
    if relations:
        await conn.execute(delete(links).where(links.c.field_id.in_(relations)))
    for child in children:
        await conn.execute(delete(fields_table).where(fields_table.c.id == child.id))
        await remove_key(conn, child.table_id, child.key)
    await _detach(conn, table_id)
    await conn.execute(delete(tables).where(tables.c.id == table_id))
    await after_delete(conn, graph, field_types, filter_types, gone)


async def restore_table(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    entry: Any,
) -> None:
    alive_db = (await conn.execute(select(databases.c.id).where(databases.c.id == entry.database_id))).first()
    if alive_db is None:
        raise trash.ParentTrashed()
    await database_scope(conn, actor, entry.database_id, "builder")
    await lock_database(conn, entry.database_id)
    payload = entry.payload
    await trash.reinsert(conn, tables, payload["tables"])
    await _attach(conn, entry.item_id)
    own = [i for i in payload["fields"] if i["table_id"] == entry.item_id]
    children = [i for i in payload["fields"] if i["table_id"] != entry.item_id]
    alive_tables = set(
        (await conn.execute(select(tables.c.id).where(tables.c.id.in_({i["table_id"] for i in children})))).scalars()
    )
    # A linking table trashed since keeps its link field in its own entry; it comes back with that table.
    children = await free_names(conn, [i for i in children if i["table_id"] in alive_tables])
    await trash.reinsert(conn, fields_table, own + children)
    await trash.reinsert(conn, views, payload.get("views", []))
    await trash.reinsert(conn, edit_links, payload.get("edit_links", []))
    await trash.reinsert(conn, webhooks, payload.get("webhooks", []))
    restored_ids = {i["id"] for i in own + children}
    await restore_edges(conn, [e for e in payload.get("edges", []) if e["dependent_id"] in restored_ids])
    await restore_values(conn, entry.id, {i["table_id"] for i in children})
    graph = await load_graph(conn, entry.database_id)
    from nocodedb.services.trash_rows import restore_links

    dirty = await restore_links(conn, graph, entry.id)
    restored: list[Field] = [graph.fields_by_id[i] for i in sorted(restored_ids)]
    await recompute_after_restore(
        conn, graph, field_types, filter_types, restored, list(payload.get("dependents", [])), dirty
    )


async def trash_database(conn: AsyncConnection, actor: Actor, database_id: int) -> None:
    """Called by delete_database (after its permission check) instead of dropping every table."""
    database = (await conn.execute(select(databases).where(databases.c.id == database_id))).one()
    await lock_database(conn, database_id)
    table_ids = list((await conn.execute(select(tables.c.id).where(tables.c.database_id == database_id))).scalars())
    entry_id = await trash.new_entry(
        conn,
        actor.user_id,
        workspace_id=database.workspace_id,
        database_id=database_id,
        table_id=None,
        item_type="database",
        item_id=database_id,
        parent_id=database.workspace_id,
        name=database.name,
    )
    payload = {
        "databases": await trash.snapshot(conn, databases, databases.c.id == database_id),
        **(await _table_metadata(conn, table_ids)),
        "fields": await trash.snapshot(conn, fields_table, fields_table.c.table_id.in_(table_ids)),
        "edges": await trash.snapshot(conn, field_dependencies, field_dependencies.c.database_id == database_id),
    }
    await trash.set_payload(conn, entry_id, payload)
    await conn.execute(
        trashed_links.insert().from_select(
            ["entry_id", "database_id", "field_id", "row_id", "target_row_id", "position"],
            select(
                literal(entry_id),
                links.c.database_id,
                links.c.field_id,
                links.c.row_id,
                links.c.target_row_id,
                links.c.position,
            ).where(links.c.database_id == database_id),
        )
    )
    await conn.execute(delete(links).where(links.c.database_id == database_id))
    for table_id in table_ids:
        await _detach(conn, table_id)
    await conn.execute(delete(databases).where(databases.c.id == database_id))


async def restore_database(conn: AsyncConnection, actor: Actor, entry: Any) -> None:
    await workspace_role(conn, actor, entry.workspace_id, "builder")
    await lock_database(conn, entry.item_id)
    payload = entry.payload
    await trash.reinsert(conn, databases, payload["databases"])
    await trash.reinsert(conn, tables, payload.get("tables", []))
    for item in payload.get("tables", []):
        await _attach(conn, int(item["id"]))
    await trash.reinsert(conn, fields_table, payload.get("fields", []))
    await trash.reinsert(conn, views, payload.get("views", []))
    await trash.reinsert(conn, edit_links, payload.get("edit_links", []))
    await trash.reinsert(conn, webhooks, payload.get("webhooks", []))
    await trash.reinsert(conn, field_dependencies, payload.get("edges", []))
    # Nothing outside the database could link into it, and its rows were untouched: values are as they were.
    await conn.execute(
        links.insert().from_select(
            ["database_id", "field_id", "row_id", "target_row_id", "position"],
            select(
                trashed_links.c.database_id,
                trashed_links.c.field_id,
                trashed_links.c.row_id,
                trashed_links.c.target_row_id,
                trashed_links.c.position,
            ).where(trashed_links.c.entry_id == entry.id),
        )
    )
