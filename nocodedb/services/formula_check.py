"""Checking a formula without saving it (the editor's live validation), and the function list for the editor.

The check answers with Baserow's shape (`formula_type`, `error`, ...). A wrong formula is a normal answer,
not an HTTP error: the editor calls this on every pause in typing and shows the problem where it is.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

import formula
from fields import FieldType, Registry
from formula.ast import FieldRef, walk
from formula.docs import CATEGORIES
from nocodedb import errors
from nocodedb.computed.engine import load_graph
from nocodedb.computed.graph import Edge
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.formula_fields import checked_formula_options, resolver_for
from nocodedb.services.metadata import row_source


def _invalid(text: str, exc: formula.FormulaError) -> dict[str, Any]:
    # `error` stays English for API clients; the page shows `error_code` with `error_params` in the
    # person's language (frontend/i18n, formula.error.<code>).
    located = exc.with_text(text)
    return {
        "formula": text,
        "formula_type": "invalid",
        "array_formula_type": None,
        "error": located.message,
        "error_code": located.code,
        "error_params": located.params,
        "error_position": located.position,
        "error_line": located.line,
        "error_column": located.column,
    }


def _references(text: str) -> list[FieldRef]:
    try:
        return [n for n in walk(formula.parse(text).root) if isinstance(n, FieldRef)]
    except formula.FormulaError:
        return []


def _self_reference(text: str, name: str | None, own: int | None, table_names: set[str]) -> formula.FormulaError | None:
    """A formula naming the field it belongs to. Checked before typing: the type check leaves the field out
    of what the formula may use, and would call it unknown, which is not the problem."""
    if not name or (own is None and name in table_names):
        return None  # a new field's name that another field already has: that one is meant (or the save refuses)
    for ref in _references(text):
        if ref.name == name:
            return formula.FormulaError(
                f"the formula uses its own field '{name}'", ref.pos, code="self_reference", params={"field": name}
            )
    return None


def _loop(
    text: str, stored: str, own: int | None, edges: list[Edge], names: dict[int, str]
) -> formula.FormulaError | None:
    """A formula using a field that depends, through others, on the field being edited: saving would make a
    loop (the save refuses it too, without a position)."""
    if own is None:
        return None  # nothing can depend on a field that does not exist yet
    dependents: dict[int, list[int]] = {}
    for e in edges:
        if e.source is not None:
            dependents.setdefault(e.source, []).append(e.dependent)
    came_from: dict[int, int] = {}
    todo = deque([own])
    while todo:
        node = todo.popleft()
        for d in dependents.get(node, []):
            if d not in came_from and d != own:
                came_from[d] = node
                todo.append(d)
    used = [r for r in sorted(formula.references(formula.parse_stored(stored))) if r in came_from]
    if not used:
        return None
    # own uses r; r depends on ... which depends on own: the loop read in the "uses" direction.
    chain = [used[0]]
    while chain[-1] != own:
        chain.append(came_from[chain[-1]])
    loop = [names.get(own, str(own)), *(names.get(i, str(i)) for i in chain)]
    at = next((ref.pos for ref in _references(text) if ref.name == names.get(used[0])), None)
    return formula.FormulaError(
        "the formula would make a loop between fields: " + " → ".join(loop),
        at,
        code="circular_reference",
        params={"fields": " → ".join(loop)},
    )


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
        too_long = formula.FormulaError(
            f"A formula has at most {formula.MAX_LENGTH:,} characters.",
            code="too_long",
            params={"max": formula.MAX_LENGTH},
        )
        return _invalid(text, too_long)
    graph = await load_graph(conn, scope.database_id)
    table_fields = [f for f in graph.fields_by_id.values() if f.table_id == table_id]
    own = next((f.id for f in table_fields if f.name == name), None)
    itself = _self_reference(text, name, own, {f.name for f in table_fields})
    if itself is not None:
        return _invalid(text, itself)
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
        # The save path words its refusal for the API; the formula's own error (kept as the context of the
        # refusal) has the code the page translates.
        cause = exc.__context__
        if isinstance(cause, formula.FormulaError):
            return _invalid(text, cause)
        return _invalid(text, formula.FormulaError(str(exc)))
    names = {f.id: f.name for f in graph.fields_by_id.values()}
    loop = _loop(text, checked["formula_stored"], own, graph.edges, names)
    if loop is not None:
        return _invalid(text, loop)
    return {
        "formula": checked["formula"],
        "formula_type": checked["formula_type"],
        "array_formula_type": checked["array_element"],
        "error": None,
        "error_code": None,
        "error_params": None,
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
