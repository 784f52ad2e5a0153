"""A view's stored filters -> the filter tree compile_tree takes, and the view's sorts -> ORDER BY.

A view stores its conditions as a flat list ({id, field, type, value, group}) and its groups as another
({id, filter_type, parent_group}), as Baserow's API shows them; the tree nests them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource

Items = list[dict[str, Any]]


def view_tree(filter_type: str, filters: Items, groups: Items) -> dict[str, Any]:
    """Nest flat filters and groups. A group whose parent is gone hangs at the top."""
    known = {g["id"] for g in groups}
    top = {"filter_type": filter_type, "filters": [], "groups": []}
    nodes: dict[int | None, dict[str, Any]] = {None: top}
    for g in groups:
        nodes[g["id"]] = {"filter_type": g.get("filter_type", "AND"), "filters": [], "groups": []}
    for g in groups:
        parent = g.get("parent_group")
        nodes[parent if parent in known and parent != g["id"] else None]["groups"].append(nodes[g["id"]])
    for condition in filters:
        group = condition.get("group")
        nodes[group if group in known else None]["filters"].append(condition)
    return nodes[None]


def group_descendants(groups: list[dict[str, Any]], group_id: int) -> set[int]:
    """A group and every group below it (to delete them together)."""
    found = {group_id}
    changed = True
    while changed:
        changed = False
        for g in groups:
            if g.get("parent_group") in found and g["id"] not in found:
                found.add(g["id"])
                changed = True
    return found


def sort_expression(field_type: FieldType, f: Field, row: RowSource, sort_type: str) -> ColumnElement[Any]:
    """What to ORDER BY: selects alphabetically ("default") or by option order ("order")."""
    if sort_type == "order":
        by_order = getattr(field_type, "sql_sort_by_option_order", None)
        if by_order is not None:
            result: ColumnElement[Any] = by_order(f, row)
            return result
    return field_type.sql_sort(f, row)


def sort_clauses(
    sorts: list[dict[str, Any]],
    resolve: Callable[[Any], Field | None],
    field_types: Registry[FieldType],
    row: RowSource,
) -> list[Any]:
    """ORDER BY clauses for a view's sorts; sorts on fields that are gone are skipped."""
    clauses: list[Any] = []
    for sort in sorts:
        f = resolve(sort.get("field"))
        if f is None or f.type not in field_types:
            continue
        expr = sort_expression(field_types.get(f.type), f, row, str(sort.get("type") or "default"))
        descending = str(sort.get("order", "ASC")).upper() == "DESC"
        clauses.append(expr.desc().nulls_last() if descending else expr.asc().nulls_first())
    return clauses
