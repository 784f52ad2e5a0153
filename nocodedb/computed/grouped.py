"""Grouped SQL for link cells and lookups: one pass over the links of a batch instead of a subquery per row.

The correlated form in nocodedb/computed/sql.py reads (and detoasts) the linked row once per link: renaming a
group linked from 10,000 participations read that group's `data` 10,000 times per computed field. Here the
batch's links are read once (`pairs`), each distinct linked row is projected once (`projected`, a
MATERIALIZED CTE, so PostgreSQL cannot inline it back into a per-link read), then aggregated per row.
The values are the same as the correlated form's (tests/computed/test_grouped.py compares them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, BigInteger, Subquery, bindparam, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry
from fields.base import empty_array
from fields.link import relation_of
from nocodedb.computed.graph import primary_of
from nocodedb.computed.sql import FieldsById, _display_text, _stored_value, aggregate_order_by, source_for
from nocodedb.db.schema import links, rows


def _through(f: Field, fields_by_id: FieldsById) -> tuple[Field, Field | None] | None:
    """The link field and the linked table's field whose values the cell shows, or None when the grouped
    form does not apply (filtered lookups, broken references: the correlated form handles those)."""
    if f.type == "link_row":
        return f, primary_of(int(f.options["link_row_table_id"]), fields_by_id)
    if f.type == "lookup" and not f.options.get("filters"):
        via = fields_by_id.get(int(f.options["through_field_id"]))
        target = fields_by_id.get(int(f.options["target_field_id"]))
        if via is not None and target is not None and via.type == "link_row":
            return via, target
    return None


def applies(f: Field, fields_by_id: FieldsById) -> bool:
    return _through(f, fields_by_id) is not None


def grouped_values(
    f: Field, ids: list[int] | None, fields_by_id: FieldsById, field_types: Registry[FieldType]
) -> Subquery:
    """SELECT (id, value) of link cell or lookup `f` for rows `ids` of its table (None: all its rows)."""
    through = _through(f, fields_by_id)
    assert through is not None, "grouped_values called for a field it does not apply to"
    via, target = through
    relation, reverse = relation_of(via)
    other_table = int(via.options["link_row_table_id"])
    batch = bindparam("ids", ids, ARRAY(BigInteger)) if ids is not None else None
    link = links.alias("l")
    mine, theirs = (link.c.target_row_id, link.c.row_id) if reverse else (link.c.row_id, link.c.target_row_id)
    pairs_query = select(mine.label("mine"), theirs.label("theirs"), link.c.position.label("pos")).where(
        link.c.field_id == relation
    )
    if batch is not None:
        pairs_query = pairs_query.where(mine == func.any(batch))
    pairs = pairs_query.cte("pairs").prefix_with("MATERIALIZED")
    linked = rows.alias("t")
    src = source_for(linked)
    element: ColumnElement[Any]
    if f.type == "link_row":
        element = func.jsonb_build_object(
            literal("id"), linked.c.id, literal("value"), _display_text(field_types, target, src)
        )
    else:
        assert target is not None
        element = func.jsonb_build_object(
            literal("id"),
            linked.c.id,
            literal("value"),
            _stored_value(field_types, target, src),
            literal("text"),
            _display_text(field_types, target, src),
        )
    projected = (
        select(linked.c.id.label("id"), element.label("element"))
        .where(linked.c.table_id == other_table, linked.c.id.in_(select(pairs.c.theirs).distinct()))
        .cte("projected")
        .prefix_with("MATERIALIZED")
    )
    order = (pairs.c.theirs,) if reverse else (pairs.c.pos, pairs.c.theirs)
    aggregated = (
        select(
            pairs.c.mine.label("id"),
            func.jsonb_agg(aggregate_order_by(projected.c.element, *order)).label("value"),
        )
        .select_from(pairs.join(projected, projected.c.id == pairs.c.theirs))
        .group_by(pairs.c.mine)
        .cte("aggregated")
    )
    outer = rows.alias("r")
    query = (
        select(outer.c.id.label("id"), func.coalesce(aggregated.c.value, empty_array()).label("value"))
        .select_from(outer.outerjoin(aggregated, aggregated.c.id == outer.c.id))
        .where(outer.c.table_id == f.table_id)
    )
    if batch is not None:
        query = query.where(outer.c.id == func.any(batch))
    return query.subquery("v")


def appended_values(
    f: Field, additions: dict[int, list[int]], fields_by_id: FieldsById, field_types: Registry[FieldType]
) -> Subquery:
    """SELECT (id, value): for reverse link cell `f`, the elements of newly linked rows, per row of its table.

    `additions` maps a row of f's table to the rows that were just created with a link to it. A reverse cell
    lists its rows by id, and rows created under the database lock have ids above every row it holds
    (nocodedb/computed/engine.py), so these elements go at the end of the cell as they are: the cell is
    not rebuilt (which read every linked row again: 4,500 rows for a batch of 200 participations)."""
    through = _through(f, fields_by_id)
    assert through is not None and f.type == "link_row", "appended_values is for link cells"
    _, target = through
    pairs = [(mine, theirs) for mine, news in additions.items() for theirs in news]
    added = select(
        func.unnest(bindparam("mine", [p[0] for p in pairs], ARRAY(BigInteger))).label("mine"),
        func.unnest(bindparam("theirs", [p[1] for p in pairs], ARRAY(BigInteger))).label("theirs"),
    ).subquery("added")
    linked = rows.alias("t")
    src = source_for(linked)
    element = func.jsonb_build_object(
        literal("id"), linked.c.id, literal("value"), _display_text(field_types, target, src)
    )
    return (
        select(added.c.mine.label("id"), func.jsonb_agg(aggregate_order_by(element, linked.c.id)).label("value"))
        .select_from(
            added.join(
                linked,
                (linked.c.table_id == int(f.options["link_row_table_id"])) & (linked.c.id == added.c.theirs),
            )
        )
        .group_by(added.c.mine)
        .subquery("v")
    )
