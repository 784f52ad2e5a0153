"""SQL for computed values: for a set of row ids, SELECT (id, value jsonb) of one computed field.

Every builder is set-based: one statement for all the rows, correlated subqueries over `links` joined to
the linked rows. Cross-table details (the target table's fields, filters on linked rows) are resolved
here, where metadata is at hand, so that fields/ stays table-local.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource
from fields.base import empty_array
from fields.link import relation_of
from nocodedb.computed.graph import primary_of
from nocodedb.db.schema import links, rows
from views.filters import FilterContext, FilterType, compile_tree

FieldsById = Mapping[int, Field]


def source_for(alias: Any) -> RowSource:
    return RowSource(
        data=alias.c.data,
        id=alias.c.id,
        created_at=alias.c.created_at,
        updated_at=alias.c.updated_at,
        created_by=alias.c.created_by,
        updated_by=alias.c.updated_by,
    )


def target_rows(table_id: int, ids: list[int]) -> Select[Any]:
    """The rows being recomputed: `r`."""
    return select(rows.c.id).where(
        rows.c.table_id == table_id, rows.c.id == func.any(bindparam("ids", ids, ARRAY(BigInteger)))
    )


class LinkedRows:
    """The rows linked to outer row `r` through link field `via`: joins for the correlated subquery."""

    def __init__(self, via: Field, outer_id: ColumnElement[Any]) -> None:
        self.relation, self.reverse = relation_of(via)
        self.other_table = int(via.options["link_row_table_id"])
        self.t = rows.alias("t")
        self.link = links.alias("l")
        mine, theirs = (
            (self.link.c.target_row_id, self.link.c.row_id)
            if self.reverse
            else (
                self.link.c.row_id,
                self.link.c.target_row_id,
            )
        )
        self.mine, self.theirs = mine, theirs
        self.where = and_(self.link.c.field_id == self.relation, mine == outer_id)
        self.join = self.link.join(self.t, and_(self.t.c.table_id == self.other_table, self.t.c.id == theirs))
        self.order = (theirs,) if self.reverse else (self.link.c.position, theirs)


def _display_text(field_types: Registry[FieldType], f: Field | None, src: RowSource) -> ColumnElement[Any]:
    if f is None:
        return cast(src.id, String)
    return field_types.get(f.type).text_sql(f, src)


def _stored_value(field_types: Registry[FieldType], f: Field, src: RowSource) -> ColumnElement[Any]:
    field_type = field_types.get(f.type)
    extra = field_type.select_api_sql(f, src)
    if extra is not None:
        return func.to_jsonb(extra)
    return field_type.raw(f, src)


def _linked_filter(
    f: Field,
    linked: LinkedRows,
    fields_by_id: FieldsById,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
) -> ColumnElement[bool]:
    tree = f.options.get("filters")
    if not tree:
        return true()
    target_fields = {x.id: x for x in fields_by_id.values() if x.table_id == linked.other_table}

    def resolve(ref: Any) -> Field | None:
        if isinstance(ref, str) and (ref.removeprefix("field_").isascii() and ref.removeprefix("field_").isdigit()):
            ref = int(ref.removeprefix("field_"))
        if isinstance(ref, int):
            return target_fields.get(ref)
        return next((x for x in target_fields.values() if x.name == ref), None)

    ctx = FilterContext(field_types, filter_types, resolve, source_for(linked.t))
    return compile_tree(tree, ctx)


def link_display_value(
    f: Field, outer: Any, fields_by_id: FieldsById, field_types: Registry[FieldType], **_: Any
) -> ColumnElement[Any]:
    linked = LinkedRows(f, outer.c.id)
    primary = primary_of(linked.other_table, fields_by_id)
    element = func.jsonb_build_object(
        literal("id"), linked.t.c.id, literal("value"), _display_text(field_types, primary, source_for(linked.t))
    )
    aggregated = func.jsonb_agg(aggregate_order_by(element, *linked.order))
    subquery = select(aggregated).select_from(linked.join).where(linked.where).scalar_subquery()
    return func.coalesce(subquery, empty_array())


def aggregate_order_by(element: ColumnElement[Any], *order: ColumnElement[Any]) -> ColumnElement[Any]:
    from sqlalchemy.dialects.postgresql import aggregate_order_by as pg_aggregate_order_by

    return pg_aggregate_order_by(element, *order)  # type: ignore[no-any-return]


def lookup_value(
    f: Field,
    outer: Any,
    fields_by_id: FieldsById,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    **_: Any,
) -> ColumnElement[Any]:
    through = fields_by_id.get(int(f.options["through_field_id"]))
    target = fields_by_id.get(int(f.options["target_field_id"]))
    if through is None or target is None or through.type != "link_row":
        return empty_array()
    linked = LinkedRows(through, outer.c.id)
    src = source_for(linked.t)
    element = func.jsonb_build_object(
        literal("id"),
        linked.t.c.id,
        literal("value"),
        _stored_value(field_types, target, src),
        literal("text"),
        _display_text(field_types, target, src),
    )
    condition = and_(linked.where, _linked_filter(f, linked, fields_by_id, field_types, filter_types))
    subquery = (
        select(func.jsonb_agg(aggregate_order_by(element, *linked.order)))
        .select_from(linked.join)
        .where(condition)
        .scalar_subquery()
    )
    return func.coalesce(subquery, empty_array())


def count_value(
    f: Field,
    outer: Any,
    fields_by_id: FieldsById,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    **_: Any,
) -> ColumnElement[Any]:
    through = fields_by_id.get(int(f.options["through_field_id"]))
    if through is None or through.type != "link_row":
        return func.to_jsonb(literal("0"))
    linked = LinkedRows(through, outer.c.id)
    condition = and_(linked.where, _linked_filter(f, linked, fields_by_id, field_types, filter_types))
    subquery = select(func.count()).select_from(linked.join).where(condition).scalar_subquery()
    return func.to_jsonb(cast(subquery, String))


def _number_json(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    # Numbers are stored as JSON strings; trim_scale keeps "12.5" rather than "12.5000000000".
    return func.to_jsonb(cast(func.trim_scale(expr), String))


def rollup_value(
    f: Field,
    outer: Any,
    fields_by_id: FieldsById,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    **_: Any,
) -> ColumnElement[Any]:
    through = fields_by_id.get(int(f.options["through_field_id"]))
    target = fields_by_id.get(int(f.options["target_field_id"]))
    if through is None or target is None or through.type != "link_row":
        return cast(literal(None), JSONB)
    linked = LinkedRows(through, outer.c.id)
    src = source_for(linked.t)
    target_type = field_types.get(target.type)
    text = _display_text(field_types, target, src)
    # A target that is not a number (its type changed since) is read as numbers where its text is one.
    number = target_type.sql_value(target, src) if target_type.compare_as == "number" else func.ncdb_f_to_numeric(text)
    value = number
    truth = target_type.sql_value(target, src) if target_type.compare_as == "boolean" else func.coalesce(text, "") != ""
    function = f.options.get("rollup_function", "sum")
    aggregates: dict[str, Callable[[], ColumnElement[Any]]] = {
        "sum": lambda: _number_json(func.coalesce(func.sum(value), 0)),
        "avg": lambda: _number_json(func.round(func.avg(value), int(f.options.get("number_decimal_places", 2)))),
        "min": lambda: _extreme(func.min, value, target, target_type, src),
        "max": lambda: _extreme(func.max, value, target, target_type, src),
        "earliest": lambda: _extreme(func.min, value, target, target_type, src),
        "latest": lambda: _extreme(func.max, value, target, target_type, src),
        "count": lambda: _number_json(func.count()),
        "count_nonempty": lambda: _number_json(func.count(func.nullif(text, ""))),
        "count_unique": lambda: _number_json(func.count(func.distinct(func.nullif(text, "")))),
        "concat": lambda: func.to_jsonb(func.string_agg(text, literal(str(f.options.get("separator", ", "))))),
        "and": lambda: func.to_jsonb(func.coalesce(func.bool_and(func.coalesce(truth, False)), True)),
        "or": lambda: func.to_jsonb(func.coalesce(func.bool_or(func.coalesce(truth, False)), False)),
    }
    aggregate = aggregates.get(function, aggregates["sum"])()
    condition = and_(linked.where, _linked_filter(f, linked, fields_by_id, field_types, filter_types))
    return select(aggregate).select_from(linked.join).where(condition).scalar_subquery()


def _extreme(
    aggregate: Any, value: ColumnElement[Any], target: Field, target_type: FieldType, src: RowSource
) -> ColumnElement[Any]:
    if target_type.compare_as == "number":
        return _number_json(aggregate(value))
    if target_type.compare_as == "date":
        # Stored ISO text (UTC) orders like the dates themselves and keeps the stored form.
        return func.to_jsonb(aggregate(target_type.raw(target, src).astext))
    return func.to_jsonb(aggregate(target_type.text_sql(target, src)))


Builder = Callable[..., ColumnElement[Any]]
BUILDERS: dict[str, Builder] = {
    "link_row": link_display_value,
    "lookup": lookup_value,
    "rollup": rollup_value,
    "count": count_value,
}
