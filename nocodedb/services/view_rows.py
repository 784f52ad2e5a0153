"""Rows as a view shows them: the view's filters and sorts compiled to SQL, its visible fields.

Read-only helpers used by the rows list (view_id), the grid view list endpoint and the public side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import views
from nocodedb.services.metadata import row_source
from nocodedb.services.views import view_types
from views.filters import FilterContext, FilterError, FilterType, compile_tree
from views.tree import sort_clauses, view_tree


async def view_of_table(conn: AsyncConnection, view_id: int, table_id: int) -> Any:
    """The view, which must belong to the table (the caller has checked the actor may read the table)."""
    row = (await conn.execute(select(views).where(views.c.id == view_id))).one_or_none()
    if row is None or row.table_id != table_id:
        raise errors.ViewNotFound()
    return row


def view_conditions(
    row: Any, table_fields: list[Field], field_types: Registry[FieldType], filter_types: Registry[FilterType]
) -> list[ColumnElement[bool]]:
    """The view's filter tree as one condition; filters that no longer fit their field are skipped."""
    view_type = view_types().get(row.type)
    if row.filters_disabled or not view_type.can_filter or not row.filters:
        return []
    by_id = {f.id: f for f in table_fields}
    tree = view_tree(row.filter_type, list(row.filters), list(row.filter_groups or []))
    ctx = FilterContext(field_types, filter_types, lambda ref: by_id.get(ref), row_source(), skip_unusable=True)
    try:
        return [compile_tree(tree, ctx)]
    except FilterError as exc:
        # Only limits can fail here (depth, count); a stored view always stays readable.
        raise errors.QueryInvalid(exc.message) from None


def view_order(row: Any, table_fields: list[Field], field_types: Registry[FieldType]) -> list[Any]:
    """ORDER BY for the view: its group-bys first (grid), then its sorts."""
    view_type = view_types().get(row.type)
    by_id = {f.id: f for f in table_fields}
    items: list[dict[str, Any]] = []
    if view_type.can_group_by:
        items += list(row.group_bys or [])
    if view_type.can_sort:
        items += list(row.sorts or [])
    return sort_clauses(items, lambda ref: by_id.get(ref), field_types, row_source())


def visible_fields(row: Any, table_fields: list[Field]) -> list[Field]:
    return view_types().get(row.type).visible_fields(table_fields, row.field_options or {})


async def view_query_parts(
    conn: AsyncConnection,
    raw_view_id: str | None,
    table_id: int,
    table_fields: list[Field],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
) -> tuple[list[Any], list[Any]]:
    """For ?view_id= on the rows list: the view's (conditions, order). Empty when no view is named."""
    if raw_view_id is None or raw_view_id == "":
        return [], []
    if not (raw_view_id.isascii() and raw_view_id.isdigit()) or int(raw_view_id) > 2**63 - 1:
        raise errors.QueryInvalid({"view_id": [{"error": "A view id is required.", "code": "invalid"}]})
    row = await view_of_table(conn, int(raw_view_id), table_id)
    return (
        view_conditions(row, table_fields, field_types, filter_types),
        view_order(row, table_fields, field_types),
    )
