"""Formula fields: checking a formula against its table, storing it by field ids, keeping it current.

A formula is checked when saved (a wrong one is refused with its position), stored with references by
id, shown with current names, and re-checked whenever a field it uses changes: when it cannot be
computed any more its values are empty and `error` says why; when the field comes back (restored, or a
field of that name is created again) it works again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Date, Numeric, Text, cast, func, update
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

import formula
from fields import Field, FieldType, Registry, RowSource
from fields.base import array_values
from fields.formula_field import result_type
from nocodedb import errors
from nocodedb.computed.engine import DatabaseGraph
from nocodedb.computed.graph import Edge
from nocodedb.db.schema import fields as fields_table
from nocodedb.services.metadata import to_field

SCALAR_CASTS = {
    "number": Numeric,
    "boolean": Boolean,
    "text": Text,
    "single_select": Text,
    "date": Date,
}


def _kind(kind: str) -> formula.FormulaType:
    known = {"text", "number", "boolean", "date", "datetime", "single_select", "file"}
    return formula.FormulaType(kind if kind in known else "text")  # type: ignore[arg-type]


def formula_type_of(
    f: Field, graph: DatabaseGraph, field_types: Registry[FieldType], depth: int = 0
) -> formula.FormulaType:
    if f.type == "formula":
        return result_type(f)
    if f.type == "link_row" or f.type == "multiple_select":
        return formula.array_of(formula.TEXT)
    if f.type == "lookup":
        target = graph.fields_by_id.get(int(f.options.get("target_field_id") or 0))
        if target is None or depth > 10:
            return formula.array_of(formula.TEXT)
        inner = formula_type_of(target, graph, field_types, depth + 1)
        return formula.array_of(inner.element if inner.is_array and inner.element else inner)
    if f.type == "rollup":
        return _kind(str(f.options.get("result_type") or "number"))
    field_type = field_types.get(f.type)
    per_field = getattr(field_type, "field_formula_type", None)
    return _kind(str(per_field(f) if per_field else field_type.formula_type))


def value_sql(f: Field, t: formula.FormulaType, field_types: Registry[FieldType], src: RowSource) -> ColumnElement[Any]:
    cell = src.data[f.key]
    if f.type in ("formula", "rollup"):
        return formula.from_stored_json(cell, t)
    if f.type == "link_row":
        return array_values(cell)
    if f.type == "lookup":
        textual = t.element is not None and t.element.kind in ("text", "single_select")
        return array_values(cell, "text" if textual else "value")
    field_type = field_types.get(f.type)
    value = field_type.sql_value(f, src)
    if t.is_array:
        return func.to_jsonb(value)
    if t.kind == "datetime":
        return cast(value, TIMESTAMP(timezone=True))
    scalar = SCALAR_CASTS.get(t.kind)
    return cast(value, scalar) if scalar is not None else value


def resolver_for(
    table_id: int, graph: DatabaseGraph, field_types: Registry[FieldType], src: RowSource, exclude: int | None
) -> Any:
    resolved = []
    for f in graph.fields_by_id.values():
        if f.table_id != table_id or f.id == exclude:
            continue
        t = formula_type_of(f, graph, field_types)
        resolved.append(formula.ResolvedField(f.id, f.name, t, value_sql(f, t, field_types, src)))
    return formula.make_resolver(resolved)


def _names(table_id: int, graph: DatabaseGraph, exclude: int | None) -> tuple[Any, Any]:
    table_fields = [f for f in graph.fields_by_id.values() if f.table_id == table_id and f.id != exclude]
    by_name = {f.name: f.id for f in table_fields}
    by_id = {f.id: f.name for f in table_fields}
    return by_name.get, by_id.get


def _placeholder_source() -> RowSource:
    from nocodedb.services.metadata import row_source

    return row_source()


def checked_formula_options(
    graph: DatabaseGraph,
    field_types: Registry[FieldType],
    table_id: int,
    options: dict[str, Any],
    field_id: int | None = None,
) -> dict[str, Any]:
    """Parse and type check the formula text of a field being saved; refuse it with its position."""
    text = options.get("formula")
    if not isinstance(text, str):
        raise errors.FormulaInvalid("Error with formula: the formula is missing.")
    name_to_id, id_to_name = _names(table_id, graph, field_id)
    try:
        stored = formula.to_storage(text, name_to_id)
        typed = formula.typecheck(
            formula.parse_stored(stored), resolver_for(table_id, graph, field_types, _placeholder_source(), field_id)
        )
    except formula.FormulaError as exc:
        raise errors.FormulaInvalid(f"Error with formula: {exc.with_text(text)}") from None
    t = typed.type
    return {
        **options,
        "formula": formula.to_display(stored, id_to_name),
        "formula_stored": stored,
        "formula_type": t.kind,
        "array_element": t.element.kind if t.element is not None else None,
        "error": None,
    }


def formula_edges(f: Field, graph: DatabaseGraph) -> list[Edge]:
    stored = f.options.get("formula_stored")
    if not stored:
        return []
    parsed = formula.parse_stored(stored)
    edges = [
        Edge(f.id, ref_id, None, graph.fields_by_id[ref_id].name if ref_id in graph.fields_by_id else None)
        for ref_id in sorted(formula.references(parsed))
    ]
    edges += [Edge(f.id, None, None, name) for name in sorted(formula.unbound_names(parsed))]
    return edges


async def refresh_formula(
    conn: AsyncConnection, graph: DatabaseGraph, field_types: Registry[FieldType], f: Field
) -> Field:
    """Re-check a formula after the fields it uses changed: re-bind names, update its text, type, error."""
    stored = f.options.get("formula_stored")
    if not stored:
        return f
    name_to_id, id_to_name = _names(f.table_id, graph, f.id)
    options = dict(f.options)
    try:
        stored = formula.refresh_storage(stored, id_to_name, name_to_id)
        options["formula_stored"] = stored
        options["formula"] = formula.to_display(stored, id_to_name)
        typed = formula.typecheck(
            formula.parse_stored(stored), resolver_for(f.table_id, graph, field_types, _placeholder_source(), f.id)
        )
        options["formula_type"] = typed.type.kind
        options["array_element"] = typed.type.element.kind if typed.type.element is not None else None
        options["error"] = None
    except formula.FormulaError as exc:
        options["error"] = str(exc.with_text(options.get("formula") or ""))
    if options == f.options:
        return f
    updated = (
        await conn.execute(
            update(fields_table).where(fields_table.c.id == f.id).values(options=options).returning(fields_table)
        )
    ).one()
    fresh = to_field(updated)
    graph.fields_by_id[f.id] = fresh
    return fresh
