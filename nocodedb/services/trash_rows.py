"""Rows in the trash: moved with their links (both directions) by set-based statements, and moved back."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ARRAY, BigInteger, ColumnElement, Text, and_, bindparam, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from fields.link import relation_of
from nocodedb import events
from nocodedb.computed.engine import DatabaseGraph, Recomputer, load_graph, lock_database
from nocodedb.db.schema import databases, links, rows, tables, trash_entries, trashed_links, trashed_rows
from nocodedb.queries.rows import FieldSet, fetch_rows
from nocodedb.services import trash
from nocodedb.services.actor import Actor, TableScope, table_scope
from nocodedb.services.links import unlink_rows
from nocodedb.services.metadata import load_fields, row_source
from views.filters import FilterType

_MOVE_ROWS = text(
    """
    WITH moved AS (
        DELETE FROM rows WHERE table_id = :table_id AND id = ANY(:ids)
        RETURNING database_id, table_id, id, "order", data, created_at, updated_at, created_by, updated_by
    )
    INSERT INTO trashed_rows
        (entry_id, database_id, table_id, id, "order", data, created_at, updated_at, created_by, updated_by)
    SELECT :entry_id, database_id, table_id, id, "order", data, created_at, updated_at, created_by, updated_by
    FROM moved
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))

# Values of fields deleted for good while the row was in the trash are left behind.
_RESTORE_ROWS = text(
    """
    INSERT INTO rows (database_id, table_id, id, "order", data, created_at, updated_at, created_by, updated_by)
    SELECT database_id, table_id, id, "order",
           (SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
              FROM jsonb_each(t.data) AS e WHERE e.key = ANY(:keys)),
           created_at, updated_at, created_by, updated_by
    FROM trashed_rows t WHERE t.entry_id = :entry_id
    RETURNING id
    """
).bindparams(bindparam("keys", type_=ARRAY(Text)))

# A link comes back only when both of its rows exist again.
_RESTORE_LINKS = text(
    """
    INSERT INTO links (database_id, field_id, row_id, target_row_id, position)
    SELECT t.database_id, t.field_id, t.row_id, t.target_row_id, t.position
    FROM trashed_links t
    WHERE t.entry_id = :entry_id AND t.field_id = :relation
      AND EXISTS (SELECT 1 FROM rows a WHERE a.table_id = :source_table AND a.id = t.row_id)
      AND EXISTS (SELECT 1 FROM rows b WHERE b.table_id = :target_table AND b.id = t.target_row_id)
    ON CONFLICT DO NOTHING
    RETURNING row_id, target_row_id
    """
)


def _link_sides(graph: DatabaseGraph, table_id: int) -> dict[int, set[str]]:
    """For each relation touching the table, the links column(s) that hold this table's row ids."""
    sides: dict[int, set[str]] = defaultdict(set)
    for f in graph.fields_by_id.values():
        if f.type != "link_row":
            continue
        relation, reverse = relation_of(f)
        if f.table_id == table_id:
            sides[relation].add("target_row_id" if reverse else "row_id")
        if int(f.options.get("link_row_table_id") or 0) == table_id:
            sides[relation].add("row_id" if reverse else "target_row_id")
    return sides


async def copy_links(conn: AsyncConnection, entry_id: int, graph: DatabaseGraph, table_id: int, ids: list[int]) -> None:
    """Copy every link of the rows, in both directions, beside the entry (unlink_rows then removes them)."""
    doomed = bindparam("doomed", ids, ARRAY(BigInteger))
    clauses = [
        and_(links.c.field_id == relation, or_(*(links.c[column] == func.any(doomed) for column in sorted(columns))))
        for relation, columns in _link_sides(graph, table_id).items()
    ]
    if not clauses:
        return
    await keep_links(conn, entry_id, or_(*clauses))


async def keep_links(conn: AsyncConnection, entry_id: int, which: ColumnElement[bool]) -> None:
    """Copy the links matching `which` into the trash entry (rows and fields trashed keep their links)."""
    await conn.execute(
        trashed_links.insert().from_select(
            ["entry_id", "database_id", "field_id", "row_id", "target_row_id", "position"],
            select(
                bindparam("entry_id", entry_id, BigInteger),
                links.c.database_id,
                links.c.field_id,
                links.c.row_id,
                links.c.target_row_id,
                links.c.position,
            ).where(which),
        )
    )


async def _names(
    conn: AsyncConnection, graph_fields: FieldSet, field_types: Registry[FieldType], table_id: int, ids: list[int]
) -> list[str]:
    primary = next((f for f in graph_fields.fields if f.primary), None)
    if primary is None:
        return [str(i) for i in ids[: trash.MAX_NAMES]]
    shown = ids[: trash.MAX_NAMES]
    expr = field_types.get(primary.type).text_sql(primary, row_source())
    found = dict(
        (
            await conn.execute(
                select(rows.c.id, expr).where(
                    rows.c.table_id == table_id, rows.c.id == func.any(bindparam("shown", shown, ARRAY(BigInteger)))
                )
            )
        ).all()
    )
    return [found.get(i) or str(i) for i in shown]


async def move_rows_to_trash(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    ids: list[int],
    graph: DatabaseGraph | None,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
) -> dict[int, set[int]]:
    """Move existing rows (and their links) into one trash entry; return the link display fields to
    recompute on the rows of the other sides, as unlink_rows does."""
    from nocodedb.services.rows import count_rows

    names = await _names(conn, fieldset, field_types, scope.table_id, ids)
    entry_id = await trash.new_entry(
        conn,
        actor.user_id,
        workspace_id=scope.workspace_id,
        database_id=scope.database_id,
        table_id=scope.table_id,
        item_type="row",
        item_id=ids[0],
        parent_id=scope.table_id,
        name=names[0] if names else str(ids[0]),
        names=names,
        payload={"count": len(ids)},
    )
    dirty: dict[int, set[int]] = {}
    if graph is not None:
        await copy_links(conn, entry_id, graph, scope.table_id, ids)
        dirty = await unlink_rows(conn, graph, scope.table_id, ids)
    moved = await conn.execute(_MOVE_ROWS, {"table_id": scope.table_id, "ids": ids, "entry_id": entry_id})
    await count_rows(conn, scope.table_id, -moved.rowcount)
    return dirty


async def entry_holding_row(conn: AsyncConnection, row_id: int, table_id: int | None) -> Any:
    where = [trashed_rows.c.id == row_id, trash_entries.c.item_type == "row"]
    if table_id is not None:
        where.append(trash_entries.c.table_id == table_id)
    return (
        await conn.execute(
            select(trash_entries)
            .join(trashed_rows, trashed_rows.c.entry_id == trash_entries.c.id)
            .where(*where)
            .with_for_update(of=trash_entries)
            .limit(1)
        )
    ).one_or_none()


async def check_table_alive(conn: AsyncConnection, entry: Any) -> None:
    """Rows, fields and views come back only into a table that is there (not itself in the trash)."""
    found = (await conn.execute(select(tables.c.id).where(tables.c.id == entry.table_id))).scalar_one_or_none()
    if found is not None:
        return
    parent_trashed = (
        await conn.execute(
            select(trash_entries.c.id).where(
                or_(
                    and_(trash_entries.c.item_type == "table", trash_entries.c.item_id == entry.table_id),
                    and_(trash_entries.c.item_type == "database", trash_entries.c.item_id == entry.database_id),
                )
            )
        )
    ).first()
    alive_db = (await conn.execute(select(databases.c.id).where(databases.c.id == entry.database_id))).first()
    if parent_trashed is not None or alive_db is None:
        raise trash.ParentTrashed()
    raise trash.CannotRestore("The table of this item no longer exists.")


async def restore_links(
    conn: AsyncConnection, graph: DatabaseGraph, entry_id: int, relations: list[int] | None = None
) -> dict[int, set[int]]:
    """Put back the entry's links whose two rows exist; return the link fields to recompute, with rows."""
    if relations is None:
        relations = list(
            (
                await conn.execute(
                    select(trashed_links.c.field_id).distinct().where(trashed_links.c.entry_id == entry_id)
                )
            ).scalars()
        )
    dirty: dict[int, set[int]] = defaultdict(set)
    for relation in relations:
        forward = graph.fields_by_id.get(relation)
        if forward is None or forward.type != "link_row":
            continue  # the link field itself is gone: its links stay in the trash
        restored = (
            await conn.execute(
                _RESTORE_LINKS,
                {
                    "entry_id": entry_id,
                    "relation": relation,
                    "source_table": forward.table_id,
                    "target_table": int(forward.options["link_row_table_id"]),
                },
            )
        ).all()
        if not restored:
            continue
        for f in graph.fields_by_id.values():
            if f.type == "link_row" and relation_of(f)[0] == relation:
                reverse = relation_of(f)[1]
                dirty[f.id].update(r.target_row_id if reverse else r.row_id for r in restored)
    return dirty


async def restore_rows(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    entry: Any,
) -> None:
    from nocodedb.services.rows import count_rows

    await check_table_alive(conn, entry)
    scope = await table_scope(conn, actor, entry.table_id, minimum="editor", operation="create")
    await lock_database(conn, scope.database_id)
    graph = await load_graph(conn, scope.database_id)
    fieldset = FieldSet(await load_fields(conn, scope.table_id))
    keys = [f.key for f in fieldset.fields]
    ids = list((await conn.execute(_RESTORE_ROWS, {"entry_id": entry.id, "keys": keys})).scalars())
    await count_rows(conn, scope.table_id, len(ids))
    dirty = await restore_links(conn, graph, entry.id)
    for f in graph.computed_fields_of(scope.table_id):
        dirty.setdefault(f.id, set()).update(ids)
    if dirty:
        await Recomputer(conn, graph, field_types, filter_types).run(dirty=dirty)
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        records = await fetch_rows(conn, scope.table_id, scope.database_id, chunk, fieldset, field_types)
        await events.rows_created(conn, actor, scope, fieldset, field_types, records)
