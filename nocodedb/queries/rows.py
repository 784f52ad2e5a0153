"""Listing rows: filters, search, sorts, pagination, and turning stored rows into the API's shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import rows, tables
from nocodedb.services.metadata import row_source
from views import search as views_search
from views.filters import FilterContext, FilterError, FilterType, compile_tree

_FILTER_ERRORS = {
    "field_not_found": errors.FilterFieldNotFound,
    "type_unknown": errors.FilterTypeUnknown,
    "not_compatible": errors.FilterNotCompatible,
    "invalid": errors.QueryInvalid,
}


@dataclass
class RowQuery:
    filters: dict[str, Any] | None = None
    order_by: list[tuple[Field, bool]] = field(default_factory=list)  # (field, descending)
    search: str | None = None
    offset: int = 0
    limit: int = 100
    # A view's own filters and sorts (view_id), compiled by nocodedb.services.view_rows.
    conditions: list[Any] = field(default_factory=list)
    view_order: list[Any] = field(default_factory=list)


class FieldSet:
    """A table's fields, found by id, by `field_<id>` key, or by name."""

    def __init__(self, table_fields: Sequence[Field]) -> None:
        self.fields = list(table_fields)
        self.by_id = {f.id: f for f in self.fields}
        self.by_name = {f.name: f for f in self.fields}
        self.by_lower_name = {f.name.lower(): f for f in self.fields}

    def find(self, ref: Any, user_field_names: bool) -> Field | None:
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.by_id.get(ref)
        if not isinstance(ref, str):
            return None
        if user_field_names:
            return self.by_name.get(ref)
        text = ref.removeprefix("field_")
        return self.by_id.get(int(text)) if (text.isascii() and text.isdigit()) else None

    def api_key(self, f: Field, user_field_names: bool) -> str:
        return f.name if user_field_names else f"field_{f.id}"


def filter_condition(
    tree: dict[str, Any] | None,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    user_field_names: bool,
) -> ColumnElement[bool]:
    if not tree:
        return true()

    def resolve(ref: Any) -> Field | None:
        # Filters name fields by id (or "field_<id>"), or by name when user_field_names is on.
        found = fieldset.find(ref, False)
        if found is None and user_field_names:
            found = fieldset.find(ref, True)
        return found

    ctx = FilterContext(field_types, filter_types, resolve, row_source())
    try:
        return compile_tree(tree, ctx)
    except FilterError as exc:
        raise _FILTER_ERRORS[exc.kind](exc.message) from None


def search_condition(search: str, fieldset: FieldSet, field_types: Registry[FieldType]) -> ColumnElement[bool]:
    # views/search.py: exact per-field tests behind the trigram-indexed pre-filter (migration 0002).
    return views_search.search_condition(search, fieldset.fields, field_types, row_source(), rows.c.id)


def base_select(table_id: int, database_id: int) -> Select[Any]:
    return select(rows.c.id, rows.c.order, rows.c.data).where(
        rows.c.table_id == table_id, rows.c.database_id == database_id
    )


def with_api_columns(query: Select[Any], fieldset: FieldSet, field_types: Registry[FieldType]) -> Select[Any]:
    """Add the columns of fields whose values live outside rows.data (created on, created by...)."""
    return query.add_columns(*api_columns(fieldset, field_types)[3:])


def api_columns(fieldset: FieldSet, field_types: Registry[FieldType]) -> list[Any]:
    """What row_to_api reads: id, order, data, then one labelled column per field stored outside data."""
    src = row_source()
    columns: list[Any] = [rows.c.id, rows.c.order, rows.c.data]
    for f in fieldset.fields:
        extra = field_types.get(f.type).select_api_sql(f, src)
        if extra is not None:
            columns.append(extra.label(f"f{f.id}"))
    return columns


def returning_is_enough(fieldset: FieldSet, field_types: Registry[FieldType]) -> bool:
    """Whether INSERT ... RETURNING can give rows as reads do: not when a value needs a subquery over
    another table (created by: the user's name), which RETURNING does not correlate."""
    src = row_source()
    for f in fieldset.fields:
        extra = field_types.get(f.type).select_api_sql(f, src)
        if extra is not None and extra.__class__.__name__ == "ScalarSelect":
            return False
    return True


def apply_sorts(
    query: Select[Any],
    sorts: list[tuple[Field, bool]],
    field_types: Registry[FieldType],
    then: Sequence[Any] = (),
) -> Select[Any]:
    src = row_source()
    order: list[Any] = []
    for f, descending in sorts:
        expr = field_types.get(f.type).sql_sort(f, src)
        # Empty values first when ascending, last when descending, as in Baserow.
        order.append(expr.desc().nulls_last() if descending else expr.asc().nulls_first())
    order += [*then, rows.c.order.asc(), rows.c.id.asc()]
    return query.order_by(*order)


async def list_rows(
    conn: AsyncConnection,
    table_id: int,
    database_id: int,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    query: RowQuery,
    *,
    user_field_names: bool,
    with_count: bool = True,
    row_count: int | None = None,
) -> tuple[int | None, list[Any]]:
    """A page of rows and the count of all matching rows. `row_count`, when the caller already read
    tables.row_count (with the table's scope), saves a round trip for unfiltered lists."""
    condition = and_(
        filter_condition(query.filters, fieldset, field_types, filter_types, user_field_names),
        search_condition(query.search, fieldset, field_types) if query.search else true(),
        *query.conditions,
    )
    stmt = with_api_columns(base_select(table_id, database_id).where(condition), fieldset, field_types)
    stmt = apply_sorts(stmt, query.order_by, field_types, query.view_order)
    stmt = stmt.offset(query.offset).limit(query.limit)
    records = (await conn.execute(stmt)).all()
    count: int | None = None
    if with_count:
        unfiltered = not query.filters and not query.search and not query.conditions
        if query.offset == 0 and len(records) < query.limit:
            count = len(records)
        elif unfiltered and row_count is not None:
            count = row_count
        elif unfiltered:
            count = int((await conn.execute(select(tables.c.row_count).where(tables.c.id == table_id))).scalar_one())
        else:
            count_stmt = (
                select(func.count())
                .select_from(rows)
                .where(rows.c.table_id == table_id, rows.c.database_id == database_id, condition)
            )
            count = int((await conn.execute(count_stmt)).scalar_one())
    return count, records


async def fetch_rows(
    conn: AsyncConnection,
    table_id: int,
    database_id: int,
    row_ids: Sequence[int],
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    *,
    lock: bool = False,
) -> list[Any]:
    """The rows with these ids, in the order of row_ids. With `lock`, they are also locked FOR UPDATE in
    id order (so two batches touching the same rows wait for each other instead of deadlocking)."""
    stmt = with_api_columns(
        base_select(table_id, database_id).where(rows.c.id.in_(list(row_ids))), fieldset, field_types
    )
    if lock:
        stmt = stmt.order_by(rows.c.id).with_for_update(of=rows)
    by_id = {r.id: r for r in (await conn.execute(stmt)).all()}
    return [by_id[i] for i in row_ids if i in by_id]


def _row_plan(
    fieldset: FieldSet, field_types: Registry[FieldType], user_field_names: bool, only: set[int] | None
) -> list[tuple[str, str, bool, Field, FieldType]]:
    """Per field, once per request: (API key, storage key, stored in data?, field, type)."""
    cache_key = (id(field_types), user_field_names, frozenset(only) if only is not None else None)
    plans = fieldset.__dict__.setdefault("_row_plans", {})
    plan = plans.get(cache_key)
    if plan is None:
        plan = []
        for f in fieldset.fields:
            if only is not None and f.id not in only:
                continue
            field_type = field_types.get(f.type)
            storage_key = f.key if field_type.stored_in_data else f"f{f.id}"
            plan.append((fieldset.api_key(f, user_field_names), storage_key, field_type.stored_in_data, f, field_type))
        plans[cache_key] = plan
    return plan


def row_to_api(
    record: Any,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    *,
    user_field_names: bool,
    only: set[int] | None = None,
) -> dict[str, Any]:
    data = record.data or {}
    out: dict[str, Any] = {"id": record.id, "order": f"{record.order:.20f}"}
    mapping = record._mapping
    for api_key, storage_key, in_data, f, field_type in _row_plan(fieldset, field_types, user_field_names, only):
        stored = data.get(storage_key) if in_data else mapping.get(storage_key)
        out[api_key] = field_type.empty_api_value(f) if stored is None else field_type.to_api(f, stored)
    return out
