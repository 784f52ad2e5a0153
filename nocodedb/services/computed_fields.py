"""The computed side of field changes: links and their reverse fields, graph edges, full recomputes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.link import relation_of
from nocodedb.computed.engine import COMPUTED_TYPES, DatabaseGraph, Recomputer, all_row_ids
from nocodedb.computed.setup import default_edges, enrich_options, store_edges
from nocodedb.db.schema import field_dependencies, links, tables
from nocodedb.db.schema import fields as fields_table
from nocodedb.services.metadata import to_field
from nocodedb.services.table_rewrite import remove_key
from views.filters import FilterType


def is_computed(type_name: str) -> bool:
    return type_name in COMPUTED_TYPES


async def _unique_name(conn: AsyncConnection, table_id: int, wanted: str) -> str:
    taken = {
        n.lower()
        for n in (await conn.execute(select(fields_table.c.name).where(fields_table.c.table_id == table_id))).scalars()
    }
    name, n = wanted[:240], 2
    while name.lower() in taken or name.lower() in {"id", "order"}:
        name, n = f"{wanted[:240]} {n}", n + 1
    return name


async def _create_reverse(conn: AsyncConnection, graph: DatabaseGraph, forward: Field) -> Field:
    source_table_name = (await conn.execute(select(tables.c.name).where(tables.c.id == forward.table_id))).scalar_one()
    target_table = int(forward.options["link_row_table_id"])
    order = (
        await conn.execute(
            select(func.coalesce(func.max(fields_table.c.order), -1) + 1).where(fields_table.c.table_id == target_table)
        )
    ).scalar_one()
    created = (
        await conn.execute(
            insert(fields_table)
            .values(
                table_id=target_table,
                name=await _unique_name(conn, target_table, source_table_name),
                type="link_row",
                options={
                    "link_row_table_id": forward.table_id,
                    "has_related_field": True,
                    "link_row_multiple_relationships": True,
                    "link_row_related_field_id": forward.id,
                    "relation_field_id": forward.id,
                    "is_reverse": True,
                },
                order=order,
                primary=False,
            )
            .returning(fields_table)
        )
    ).one()
    return to_field(created)


async def _set_options(conn: AsyncConnection, f: Field, options: dict[str, Any]) -> Field:
    updated = (
        await conn.execute(
            update(fields_table).where(fields_table.c.id == f.id).values(options=options).returning(fields_table)
        )
    ).one()
    return to_field(updated)


async def after_save(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    f: Field,
    *,
    created: bool,
) -> Field:
    """A link, lookup, rollup, count or formula field was saved: reverse field, edges, values."""
    if f.type == "link_row":
        if created and f.options.get("has_related_field", True) and not f.options.get("is_reverse"):
            reverse = await _create_reverse(conn, graph, f)
            f = await _set_options(conn, f, {**f.options, "link_row_related_field_id": reverse.id})
            graph.fields_by_id[reverse.id] = reverse
            await store_edges(conn, graph, reverse, default_edges(reverse, graph))
        await store_edges(conn, graph, f, default_edges(f, graph))
        if not created:
            await recompute_everywhere(conn, graph, field_types, filter_types, f)
        return f
    if f.type == "formula":
        from nocodedb.services.formula_fields import formula_edges

        await store_edges(conn, graph, f, formula_edges(f, graph))
    else:
        await store_edges(conn, graph, f, default_edges(f, graph))
    await recompute_everywhere(conn, graph, field_types, filter_types, f)
    return f


async def recompute_everywhere(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    f: Field,
) -> None:
    """Compute f on every row of its table (in batches), then everything that depends on it."""
    if f.type == "formula":
        from nocodedb.services.formula_fields import refresh_formula

        f = await refresh_formula(conn, graph, field_types, f)
    await Recomputer(conn, graph, field_types, filter_types).run(everywhere=[f.id])


async def values_changed_everywhere(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    f: Field,
) -> None:
    """f's values changed on every row (type or options change): refresh snapshots, recompute dependents."""
    for dependent in list(graph.fields_by_id.values()):
        if dependent.type in ("lookup", "rollup") and int(dependent.options.get("target_field_id") or 0) == f.id:
            options = enrich_options(graph, field_types, dependent.table_id, dependent.type, dict(dependent.options))
            if options != dependent.options:
                graph.fields_by_id[dependent.id] = await _set_options(conn, dependent, options)
    ids = await all_row_ids(conn, f.table_id)
    if ids:
        await Recomputer(conn, graph, field_types, filter_types).run(changed={f.id: ids})


async def before_delete(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    f: Field,
) -> list[Field]:
    """Remove a link's relation (and its other side); return the fields removed with it."""
    removed: list[Field] = []
    if f.type == "link_row":
        relation, _ = relation_of(f)
        await conn.execute(delete(links).where(links.c.field_id == relation))
        other = graph.fields_by_id.get(int(f.options.get("link_row_related_field_id") or 0))
        if other is not None and other.id != f.id:
            await conn.execute(delete(fields_table).where(fields_table.c.id == other.id))
            await remove_key(conn, other.table_id, other.key)
            removed.append(other)
    return removed


async def after_delete(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    deleted: list[Field],
) -> None:
    """Fields that depended on deleted ones keep their definition and show empty/error values."""
    gone = {f.id for f in deleted}
    for f in deleted:
        graph.fields_by_id.pop(f.id, None)
    # Keep broken references by name, so that a field created again with that name repairs them.
    for f in deleted:
        await conn.execute(
            update(field_dependencies)
            .where(field_dependencies.c.source_id == f.id)
            .values(source_id=None, source_name=f.name)
        )
    dependents = {e.dependent for e in graph.edges if e.source in gone or e.via in gone} - gone
    graph.edges = [e for e in graph.edges if e.dependent not in gone]
    graph.edges = [e if e.source not in gone else type(e)(e.dependent, None, e.via, e.source_name) for e in graph.edges]
    graph.__post_init__()
    for dependent_id in dependents:
        dependent = graph.fields_by_id.get(dependent_id)
        if dependent is not None:
            await recompute_everywhere(conn, graph, field_types, filter_types, dependent)


async def store_edges_cleared(conn: AsyncConnection, graph: DatabaseGraph, f: Field) -> None:
    """A field that is no longer computed depends on nothing."""
    if any(e.dependent == f.id for e in graph.edges):
        await store_edges(conn, graph, f, [])


async def refresh_formulas_naming(
    conn: AsyncConnection,
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    f: Field,
) -> None:
    """f was created, renamed or retyped: formulas of its table that use it, or used its name before
    their field was deleted, are checked again (text, type, error), re-bound and recomputed."""
    from nocodedb.services.formula_fields import formula_edges, refresh_formula

    candidates = {
        e.dependent
        for e in graph.edges
        if e.source == f.id or (e.source is None and e.source_name is not None and e.source_name == f.name)
    }
    for dependent_id in sorted(candidates):
        dependent = graph.fields_by_id.get(dependent_id)
        if dependent is None or dependent.type != "formula" or dependent.table_id != f.table_id:
            continue
        before = dependent
        dependent = await refresh_formula(conn, graph, field_types, dependent)
        if dependent.options.get("formula_stored") != before.options.get("formula_stored"):
            await store_edges(conn, graph, dependent, formula_edges(dependent, graph))
        if dependent.options != before.options:
            await recompute_everywhere(conn, graph, field_types, filter_types, dependent)
