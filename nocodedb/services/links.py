"""Writing link cells: resolve ids or primary values, check them, replace the links, mark what to recompute."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Text, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.link import relation_of
from nocodedb import errors
from nocodedb.computed.engine import DatabaseGraph
from nocodedb.computed.graph import primary_of
from nocodedb.computed.sql import source_for
from nocodedb.db.schema import links, rows


async def _resolve_targets(
    conn: AsyncConnection,
    f: Field,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    wanted: list[int | str],
    api_key: str,
) -> dict[int | str, int]:
    other_table = int(f.options["link_row_table_id"])
    ids = sorted({v for v in wanted if isinstance(v, int)})
    texts = sorted({v for v in wanted if isinstance(v, str)})
    resolved: dict[int | str, int] = {}
    if ids:
        found = await conn.execute(
            select(rows.c.id).where(
                rows.c.table_id == other_table, rows.c.id == func.any(bindparam("ids", ids, ARRAY(BigInteger)))
            )
        )
        resolved.update({i: i for i in found.scalars()})
    if texts:
        primary = primary_of(other_table, graph.fields_by_id)
        if primary is not None:
            t = rows.alias("t")
            text_expr = field_types.get(primary.type).text_sql(primary, source_for(t))
            found_texts = await conn.execute(
                select(t.c.id, text_expr.label("text"))
                .where(t.c.table_id == other_table, text_expr == func.any(bindparam("texts", texts, ARRAY(Text))))
                .order_by(t.c.id)
            )
            for row_id, value in found_texts:
                resolved.setdefault(value, row_id)
    missing = [v for v in wanted if v not in resolved]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5])
        raise errors.RequestBodyInvalid(
            {api_key: [{"error": f"No row of the linked table matches {shown}.", "code": "does_not_exist"}]}
        )
    return resolved


async def write_links(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    writes: dict[int, dict[int, list[int | str]]],
    api_keys: dict[int, str],
    appended: dict[int, dict[int, list[int]]] | None = None,
) -> dict[int, set[int]]:
    """Replace the links of each (field, row); return the link display fields to recompute, with rows.

    `appended`, given when the rows were just created (under the database lock, so their ids are the
    highest of their table): the other side's reverse cells are noted there (field -> row -> new rows) for
    the engine to append to, instead of being returned to rebuild (Recomputer.run)."""
    dirty: dict[int, set[int]] = defaultdict(set)
    for field_id, per_row in writes.items():
        f = graph.fields_by_id[field_id]
        relation, reverse = relation_of(f)
        wanted = [v for values in per_row.values() for v in values]
        resolved = await _resolve_targets(conn, f, graph, field_types, wanted, api_keys.get(field_id, f.name))
        row_ids = sorted(per_row)
        mine, theirs = (links.c.target_row_id, links.c.row_id) if reverse else (links.c.row_id, links.c.target_row_id)
        previous = await conn.execute(
            delete(links)
            .where(links.c.field_id == relation, mine == func.any(bindparam("rows", row_ids, ARRAY(BigInteger))))
            .returning(theirs)
        )
        touched_other_side = set(previous.scalars())
        new_links: list[dict[str, Any]] = []
        for row_id in row_ids:
            seen: set[int] = set()
            for position, value in enumerate(per_row[row_id]):
                target = resolved[value]
                if target in seen:
                    continue
                seen.add(target)
                pair = (target, row_id) if reverse else (row_id, target)
                new_links.append(
                    {
                        "database_id": graph.database_id,
                        "field_id": relation,
                        "row_id": pair[0],
                        "target_row_id": pair[1],
                        "position": 0 if reverse else position,
                    }
                )
                touched_other_side.add(target)
        if new_links:
            await conn.execute(insert(links), new_links)
        dirty[field_id].update(row_ids)
        other_side = f.options.get("link_row_related_field_id")
        if other_side is None or other_side not in graph.fields_by_id or not touched_other_side:
            continue
        other = graph.fields_by_id[int(other_side)]
        if appended is not None and _appendable(graph, f, other):
            # `other` is a reverse cell, so `f` writes forward links: (row_id = new row, target = its row).
            per_row = appended.setdefault(other.id, {})
            for link in new_links:  # in row order: the new elements come out sorted by row id
                per_row.setdefault(link["target_row_id"], []).append(link["row_id"])
        else:
            dirty[other.id].update(touched_other_side)
    return dirty


def _appendable(graph: DatabaseGraph, f: Field, other: Field) -> bool:
    """Can the other side's cells take new rows at their end? Only a reverse cell (listed by row id) of
    another table (a link to its own table could make a new row both sides) whose shown field exists."""
    return (
        relation_of(other)[1]
        and other.table_id != f.table_id
        and primary_of(f.table_id, graph.fields_by_id) is not None
    )


async def unlink_rows(
    conn: AsyncConnection, graph: DatabaseGraph, table_id: int, row_ids: list[int]
) -> dict[int, set[int]]:
    """Before rows are deleted: remove their links; return the other sides' display fields to recompute."""
    dirty: dict[int, set[int]] = defaultdict(set)
    doomed = bindparam("rows", row_ids, ARRAY(BigInteger))
    for f in graph.fields_by_id.values():
        if f.type != "link_row":
            continue
        relation, reverse = relation_of(f)
        mine, theirs = (links.c.target_row_id, links.c.row_id) if reverse else (links.c.row_id, links.c.target_row_id)
        other_side = f.options.get("link_row_related_field_id")
        if f.table_id == table_id:
            removed = await conn.execute(
                delete(links).where(links.c.field_id == relation, mine == func.any(doomed)).returning(theirs)
            )
            others = set(removed.scalars()) - set(row_ids)
            if other_side is not None and other_side in graph.fields_by_id and others:
                dirty[int(other_side)].update(others)
        elif int(f.options["link_row_table_id"]) == table_id and other_side is None:
            # A one-way link into this table: nobody on this side reads it, but its own cells change.
            removed = await conn.execute(
                delete(links).where(links.c.field_id == relation, theirs == func.any(doomed)).returning(mine)
            )
            dirty[f.id].update(removed.scalars())
    return dirty
