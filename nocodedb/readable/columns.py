"""The typed SQL of each field's column(s) in a readable view.

Scalar types reuse the field type's own `sql_value` (numbers -> numeric, booleans, dates -> date or
timestamptz, single select -> the option's value, multiple select -> text[]); only the shapes `sql_value`
gives as JSONB arrays are turned into SQL arrays here: links (ids and primary values), lookups and array
formulas (the display text of each item). Rollups keep their result type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Text, literal_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

import formula
from fields import Field, FieldType, RowSource
from fields.base import for_field


@dataclass(frozen=True)
class FieldColumns:
    """A field's main column, and for links the `<name>_values` column beside it."""

    value: ColumnElement[Any]
    link_values: ColumnElement[Any] | None = None


def _cell_sql(f: Field) -> str:
    # The key is the field's integer id: no user text reaches this SQL.
    return f"(rows.data -> '{int(f.id)}')"


def _items(f: Field) -> str:
    cell = _cell_sql(f)
    return (
        f"jsonb_array_elements(CASE WHEN jsonb_typeof({cell}) = 'array' THEN {cell} END) WITH ORDINALITY AS item(e, n)"
    )


def _array(element_sql: str, f: Field, element_type: Any) -> ColumnElement[Any]:
    """array_agg over the cell's items in their order; NULL when empty, as multiple selects are."""
    return literal_column(f"(SELECT array_agg({element_sql} ORDER BY item.n) FROM {_items(f)})", ARRAY(element_type))


# The text of one item of a lookup or formula array: its display text, else its scalar value.
_ITEM_TEXT = (
    "CASE WHEN jsonb_typeof(item.e) = 'object' THEN COALESCE(item.e ->> 'text', "
    "CASE WHEN jsonb_typeof(item.e -> 'value') IN ('object', 'array') THEN NULL ELSE item.e ->> 'value' END) "
    "WHEN jsonb_typeof(item.e) IN ('object', 'array') THEN NULL ELSE item.e #>> '{}' END"
)


def field_columns(field_type: FieldType, f: Field, row: RowSource) -> FieldColumns:
    compare_as = for_field(field_type, f).compare_as
    if compare_as == "link":
        id_sql = "CASE WHEN jsonb_typeof(item.e -> 'id') = 'number' THEN (item.e ->> 'id')::bigint END"
        ids = _array(id_sql, f, BigInteger)
        values = _array("item.e ->> 'value'", f, Text)
        return FieldColumns(ids, values)
    if compare_as == "array":
        return FieldColumns(_array(_ITEM_TEXT, f, Text))
    result = getattr(field_type, "result_type", None)
    if field_type.type == "rollup" and callable(result) and result(f) == "date":
        # Rollups give dates as stored text; the formula reader turns them into timestamptz, never raising.
        return FieldColumns(formula.from_stored_json(row.data[f.key], formula.FormulaType("datetime")))
    return FieldColumns(field_type.sql_value(f, row))
