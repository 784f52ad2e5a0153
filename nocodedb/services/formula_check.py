"""Checking a formula without saving it (the editor's live validation), and the function list for the editor.

The check answers with Baserow's shape (`formula_type`, `error`, ...). A wrong formula is a normal answer,
not an HTTP error: the editor calls this on every pause in typing and shows the problem where it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

import formula
from fields import FieldType, Registry
from formula.docs import CATEGORIES
from nocodedb import errors
from nocodedb.computed.engine import load_graph
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.formula_fields import checked_formula_options, resolver_for
from nocodedb.services.metadata import row_source


def _invalid(text: str, exc: formula.FormulaError | None, message: str | None = None) -> dict[str, Any]:
    located = exc.with_text(text) if exc is not None else None
    return {
        "formula": text,
        "formula_type": "invalid",
        "array_formula_type": None,
        "error": message or (located.message if located is not None else "The formula is not valid."),
        "error_position": located.position if located is not None else None,
        "error_line": located.line if located is not None else None,
        "error_column": located.column if located is not None else None,
    }


async def check_formula(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    table_id: int,
    text: str,
    name: str | None,
) -> dict[str, Any]:
    """The type a formula would have in this table; `name` is the field being edited (it may not use itself)."""
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    if len(text) > formula.MAX_LENGTH:
        return _invalid(text, None, f"A formula has at most {formula.MAX_LENGTH:,} characters.")
    graph = await load_graph(conn, scope.database_id)
    own = next((f.id for f in graph.fields_by_id.values() if f.table_id == table_id and f.name == name), None)
    # Type check the text as typed, by name, so positions point into what the person wrote; the stored
    # form used by the save path is normalized and its positions would not match the editor's text.
    try:
        formula.typecheck(formula.parse(text), resolver_for(table_id, graph, field_types, row_source(), own))
    except formula.FormulaError as exc:
        return _invalid(text, exc)
    # Then the save path itself, so that "valid here" means "saving works".
    try:
        checked = checked_formula_options(graph, field_types, table_id, {"formula": text}, own)
    except errors.FormulaInvalid as exc:
        return _invalid(text, None, str(exc))
    return {
        "formula": checked["formula"],
        "formula_type": checked["formula_type"],
        "array_formula_type": checked["array_element"],
        "error": None,
        "error_position": None,
        "error_line": None,
        "error_column": None,
    }


def function_list() -> list[dict[str, Any]]:
    """Every formula function with the text docs/formulas.md is generated from (formula/docs.py)."""
    titles = dict(CATEGORIES)
    return [
        {
            "name": fn.name,
            "signature": fn.signature(),
            "category": fn.category,
            "category_title": titles.get(fn.category, fn.category),
            "description": fn.doc,
            "examples": [{"formula": example, "result": result} for example, result in fn.examples],
            "dialect": fn.available,
        }
        for fn in formula.FUNCTIONS
    ]
