"""The SQL value of a formula field for the row being recomputed (`outer`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import cast, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

import formula
from fields import Field, FieldType, Registry
from nocodedb.computed.sql import source_for


def formula_value(
    f: Field, outer: Any, fields_by_id: Any, field_types: Registry[FieldType], **_: Any
) -> ColumnElement[Any]:
    from nocodedb.computed.engine import DatabaseGraph
    from nocodedb.services.formula_fields import resolver_for

    stored = f.options.get("formula_stored")
    if not stored or f.options.get("error"):
        return cast(literal(None), JSONB)
    graph = DatabaseGraph.__new__(DatabaseGraph)
    graph.fields_by_id = dict(fields_by_id)
    src = source_for(outer)
    try:
        typed = formula.typecheck(formula.parse_stored(stored), resolver_for(f.table_id, graph, field_types, src, f.id))
    except formula.FormulaError:
        return cast(literal(None), JSONB)
    row = formula.RowColumns(id=outer.c.id, created_at=outer.c.created_at, updated_at=outer.c.updated_at)
    return formula.to_stored_json(formula.compile_formula(typed, row), typed.type)
