"""Recomputing materialized values after a write, in the writer's transaction, in topological order.

Two kinds of input:
- dirty: computed fields to recompute on given rows (new rows, links just written, a new field);
- changed: fields whose values a write changed on given rows; their dependents become dirty, on the
  same rows or, through a link field, on the rows linked to them.
Each computed field is recomputed with one UPDATE per batch of rows that only touches rows whose value
really changes (RETURNING tells which), so unchanged values stop the propagation early.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Subquery, bindparam, cast, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.base import empty_array
from fields.link import relation_of
from nocodedb.computed import grouped
from nocodedb.computed.graph import Edge, dependents_index, topological_order
from nocodedb.computed.sql import BUILDERS
from nocodedb.db.schema import field_dependencies, links, rows, tables
from nocodedb.db.schema import fields as fields_table
from nocodedb.events.recomputed import note_recomputed  # events
from nocodedb.services.metadata import to_field
from nocodedb.services.table_rewrite import set_search_index_aside
from views.filters import FilterType

BATCH = 10_000
COMPUTED_TYPES = {"link_row", "lookup", "rollup", "count", "formula"}
# Serializes writes that recompute across tables of one database, so two of them never lock rows in
# opposite orders (a deadlock a user would see as an error).
_LOCK_SPACE = 7251


@dataclass
class DatabaseGraph:
    database_id: int
    fields_by_id: dict[int, Field]
    edges: list[Edge]
    order: list[int] = field(default_factory=list)
    dependents: dict[int, list[Edge]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.order = topological_order(self.fields_by_id.keys(), self.edges)
        self.dependents = dependents_index(self.edges)

    def computed_fields_of(self, table_id: int) -> list[Field]:
        return [f for f in self.fields_by_id.values() if f.table_id == table_id and f.type in COMPUTED_TYPES]

    def has_links(self) -> bool:
        return any(f.type == "link_row" for f in self.fields_by_id.values())


async def load_graph(conn: AsyncConnection, database_id: int) -> DatabaseGraph:
    found = await conn.execute(
        select(fields_table)
        .join(tables, tables.c.id == fields_table.c.table_id)
        .where(tables.c.database_id == database_id)
    )
    fields_by_id = {r.id: to_field(r) for r in found}
    edge_rows = await conn.execute(select(field_dependencies).where(field_dependencies.c.database_id == database_id))
    edges = [Edge(r.dependent_id, r.source_id, r.via_field_id, r.source_name) for r in edge_rows]
    return DatabaseGraph(database_id, fields_by_id, edges)


async def database_of_table(conn: AsyncConnection, table_id: int) -> int:
    return int((await conn.execute(select(tables.c.database_id).where(tables.c.id == table_id))).scalar_one())


async def lock_database(conn: AsyncConnection, database_id: int) -> None:
    await conn.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, database_id % 2_000_000_000)))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


class Recomputer:
    def __init__(
        self,
        conn: AsyncConnection,
        graph: DatabaseGraph,
        field_types: Registry[FieldType],
        filter_types: Registry[FilterType],
    ) -> None:
        self.conn = conn
        self.graph = graph
        self.field_types = field_types
        self.filter_types = filter_types

    async def run(
        self,
        dirty: dict[int, Iterable[int]] | None = None,
        changed: dict[int, Iterable[int]] | None = None,
        everywhere: Iterable[int] = (),
        appended: dict[int, dict[int, list[int]]] | None = None,
    ) -> None:
        """Recompute `dirty` fields on their rows, the dependents of `changed` ones, and the fields of
        `everywhere` on every row of their tables (one statement each), then what depends on those.
        `appended`: reverse link cells that only gain rows just created (services/links.write_links),
        per field and row: their new elements are appended instead of the cells being rebuilt."""
        pending: dict[int, set[int]] = defaultdict(set)
        # Link cells to recompute only because a linked row's primary value changed: which rows they link
        # to is the same, so lookups, rollups and counts through them need no recompute for that.
        relabelled: dict[int, set[int]] = defaultdict(set)
        whole = set(everywhere)
        written = {field_id: set(ids) for field_id, ids in (dirty or {}).items()}
        for field_id, ids in written.items():
            pending[field_id].update(ids)
        appends = {field_id: dict(per_row) for field_id, per_row in (appended or {}).items() if per_row}
        for field_id, per_row in appends.items():
            # Not pending (they are appended to), but written: which rows they link to changed, so what
            # reads them (lookups, counts) is recomputed, not treated as a mere relabel.
            written.setdefault(field_id, set()).update(per_row)
        for field_id, ids in (changed or {}).items():
            await self._mark_dependents(field_id, set(ids), pending, relabelled)
        for field_id in self.graph.order:
            ids = pending.pop(field_id, None)
            additions = appends.pop(field_id, None)
            if not ids and field_id not in whole and not additions:
                continue
            f = self.graph.fields_by_id[field_id]
            if field_id in whole:
                changed_ids = await self.recompute_whole_table(f)
            else:
                changed_ids = await self.recompute_field(f, sorted(ids)) if ids else set()
                # A cell recomputed for another reason already holds the new rows (it read the links).
                rest = {row: news for row, news in (additions or {}).items() if row not in (ids or ())}
                if rest:
                    changed_ids |= await self.append_links(f, rest)
            note_recomputed(self.conn, f, changed_ids)  # events: rows changed here become rows.updated events
            if not changed_ids:
                continue
            labels_only = set() if field_id in whole else relabelled.pop(field_id, set()) - written.get(field_id, set())
            if changed_ids - labels_only:
                await self._mark_dependents(field_id, changed_ids - labels_only, pending, relabelled)
            if changed_ids & labels_only:
                await self._mark_dependents(field_id, changed_ids & labels_only, pending, relabelled, labels_only=True)

    async def _mark_dependents(
        self,
        source_id: int,
        ids: set[int],
        pending: dict[int, set[int]],
        relabelled: dict[int, set[int]],
        labels_only: bool = False,
    ) -> None:
        """Mark what depends on `source_id` on `ids` for recompute. labels_only: the source is a link field
        whose cells changed only in the linked rows' primary values shown, not in which rows they link."""
        for edge in self.graph.dependents.get(source_id, []):
            dependent = self.graph.fields_by_id.get(edge.dependent)
            if dependent is None:
                continue
            if edge.via is None:
                if labels_only and _reads_links_of(dependent, source_id):
                    continue
                pending[edge.dependent].update(ids)
                continue
            via = self.graph.fields_by_id.get(edge.via)
            if via is None or via.type != "link_row":
                continue
            linked = await linked_rows(self.conn, via, ids)
            pending[edge.dependent].update(linked)
            if dependent.id == via.id:  # a link cell showing its linked rows' primary value
                relabelled[dependent.id].update(linked)

    async def recompute_field(self, f: Field, ids: list[int]) -> set[int]:
        """Recompute one computed field on the given rows; return the ids whose value changed."""
        builder = _builder_of(f)
        changed: set[int] = set()
        for chunk in _chunks(ids):
            changed.update(await self._write(f, self.values_of(f, chunk, builder)))
        return changed

    async def append_links(self, f: Field, additions: dict[int, list[int]]) -> set[int]:
        """Append the elements of rows just created to reverse link cells `additions` (row -> new rows)."""
        values = grouped.appended_values(f, additions, self.graph.fields_by_id, self.field_types)
        cell = func.coalesce(rows.c.data[f.key], empty_array()).op("||")(values.c.value)
        statement = (
            update(rows)
            .where(rows.c.table_id == f.table_id, rows.c.id == values.c.id)
            .values(data=rows.c.data.op("||")(func.jsonb_build_object(literal(f.key), cell)))
            .returning(rows.c.id)
        )
        return set((await self.conn.execute(statement)).scalars())

    async def recompute_whole_table(self, f: Field) -> set[int]:
        """Recompute one computed field on every row of its table in one statement; return changed ids.

        A new field or new options touch every row: one UPDATE joined to one set-based SELECT lets
        PostgreSQL hash-join the links once, where batches of ids re-read them per batch (a lookup
        added to 200,000 rows: 20 s in batches of 5,000 against about 4 s whole)."""
        builder = _builder_of(f)
        # Sorting and hashing 200,000 links spill to disk at the default 4 MB (JIT is off for every app
        # connection already: db/engine.py). Ends with the transaction.
        await self.conn.execute(text("SET LOCAL work_mem = '64MB'"))
        await set_search_index_aside(self.conn, f.table_id)
        return await self._write(f, self.values_of(f, None, builder))

    async def _write(self, f: Field, values: Subquery) -> set[int]:
        """Store `values` (id, value) as f's cells where they differ; return the ids that changed."""
        # An absent cell reads as empty: [] for cells of links, JSON null otherwise.
        null = empty_array() if _is_array_cell(f) else cast(literal("null"), JSONB)
        statement = (
            update(rows)
            .where(
                rows.c.table_id == f.table_id,
                rows.c.id == values.c.id,
                func.coalesce(rows.c.data[f.key], null).is_distinct_from(func.coalesce(values.c.value, null)),
            )
            .values(data=rows.c.data.op("||")(func.jsonb_build_object(literal(f.key), values.c.value)))
            .returning(rows.c.id)
        )
        return set((await self.conn.execute(statement)).scalars())

    def values_of(self, f: Field, ids: list[int] | None, builder: Any) -> Subquery:
        """SELECT (id, value) of `f` on rows `ids` (None: every row of its table): grouped over the links
        where that form exists."""
        if grouped.applies(f, self.graph.fields_by_id):
            return grouped.grouped_values(f, ids, self.graph.fields_by_id, self.field_types)
        outer = rows.alias("r")
        value = builder(
            f,
            outer,
            fields_by_id=self.graph.fields_by_id,
            field_types=self.field_types,
            filter_types=self.filter_types,
        )
        query = select(outer.c.id.label("id"), value.label("value")).where(outer.c.table_id == f.table_id)
        if ids is not None:
            query = query.where(outer.c.id == func.any(bindparam("ids", ids, ARRAY(BigInteger))))
        return query.subquery("v")


def _builder_of(f: Field) -> Any:
    builder = BUILDERS.get(f.type)
    if builder is None:
        from nocodedb.computed.formula_values import formula_value

        builder = formula_value
    return builder


def _reads_links_of(f: Field, link_id: int) -> bool:
    """Does f read the linked rows of link field `link_id` from the links table rather than its cells?"""
    return f.type in ("lookup", "rollup", "count") and str(f.options.get("through_field_id")) == str(link_id)


def _is_array_cell(f: Field) -> bool:
    return f.type in ("link_row", "lookup") or (f.type == "formula" and f.options.get("formula_type") == "array")


async def linked_rows(conn: AsyncConnection, via: Field, ids: Iterable[int]) -> set[int]:
    """Rows of via's table linked through `via` to any of `ids` (rows of the other table)."""
    relation, reverse = relation_of(via)
    mine, theirs = (links.c.target_row_id, links.c.row_id) if reverse else (links.c.row_id, links.c.target_row_id)
    found = await conn.execute(
        select(mine)
        .distinct()
        .where(links.c.field_id == relation, theirs == func.any(bindparam("ids", list(ids), ARRAY(BigInteger))))
    )
    return set(found.scalars())


async def all_row_ids(conn: AsyncConnection, table_id: int) -> list[int]:
    return list((await conn.execute(select(rows.c.id).where(rows.c.table_id == table_id))).scalars())
