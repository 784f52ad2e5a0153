"""What an export reads: the table's or view's fields, conditions and order, then rows page by page.

Without a sort, pages are keyset pages on (order, id); a view that sorts reads through a server-side
cursor in pages of the same size. Either way, one page at a time is in memory, inside one REPEATABLE READ
transaction so that the file is one consistent snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import and_, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import rows
from nocodedb.queries.rows import FieldSet, _row_plan, base_select, with_api_columns
from nocodedb.services import audit
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_rows import view_conditions, view_of_table, view_order, visible_fields
from views.filters import FilterType

PAGE = 1000
NUMERIC = {"number", "rating", "count", "autonumber"}


@dataclass
class ExportPlan:
    table_id: int
    database_id: int
    name: str
    fieldset: FieldSet
    columns: list[Field]
    conditions: list[Any] = field(default_factory=list)
    order: list[Any] = field(default_factory=list)
    workspace_id: int = 0
    view_id: int | None = None

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.columns]

    def numeric(self) -> list[bool]:
        return [
            f.type in NUMERIC
            or (f.type == "rollup" and f.options.get("result_type") == "number")
            or (f.type == "formula" and f.options.get("formula_type") == "number")
            for f in self.columns
        ]


async def plan_export(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    view_id: int | None,
) -> ExportPlan:
    scope = await table_scope(conn, actor, table_id, minimum="viewer", operation="read")
    table_fields = await load_fields(conn, table_id)
    plan = ExportPlan(table_id, scope.database_id, scope.name, FieldSet(table_fields), table_fields)
    plan.workspace_id, plan.view_id = scope.workspace_id, view_id
    if view_id is not None:
        view = await view_of_table(conn, view_id, table_id)
        plan.name = f"{scope.name} - {view.name}"
        plan.columns = visible_fields(view, table_fields)
        plan.conditions = view_conditions(view, table_fields, field_types, filter_types)
        plan.order = view_order(view, table_fields, field_types)
    return plan


async def record_export(conn: AsyncConnection, actor: Actor, plan: ExportPlan, kind: str) -> None:
    """The audit entry of an export: data leaving the instance is what an admin looks for first."""
    await audit.record(
        conn,
        "table.exported",
        user_id=actor.user_id,
        workspace_id=plan.workspace_id,
        ip=actor.ip,
        table_id=plan.table_id,
        view_id=plan.view_id,
        format=kind,
        via=actor.kind,
        **({"token_id": actor.token.token_id, "token_name": actor.label} if actor.token is not None else {}),
    )


def _records(plan: ExportPlan, field_types: Registry[FieldType], found: list[Any]) -> list[list[Any]]:
    """The API values of the exported columns, as row_to_api gives them (the same per-field plan), without
    building each row's whole API dict (its order as text, every key) only to pick cells out of it."""
    by_id = {step[3].id: step[1:] for step in _row_plan(plan.fieldset, field_types, False, None)}
    # (storage key, stored in data?, the bound to_api, the empty value): looked up once per page, not per cell.
    # Empty values are shared between rows: the writers only read them.
    steps = [
        (key, in_data, partial(field_type.to_api, f), field_type.empty_api_value(f))
        for key, in_data, f, field_type in (by_id[f.id] for f in plan.columns)
    ]
    if all(in_data for _, in_data, _, _ in steps):
        return [
            [empty if (stored := data.get(key)) is None else to_api(stored) for key, _, to_api, empty in steps]
            for data in (record.data or {} for record in found)
        ]
    out = []
    for record in found:
        data, mapping = record.data or {}, record._mapping
        out.append(
            [
                empty if (stored := (data.get(key) if in_data else mapping.get(key))) is None else to_api(stored)
                for key, in_data, to_api, empty in steps
            ]
        )
    return out


async def pages(
    engine: AsyncEngine, plan: ExportPlan, field_types: Registry[FieldType], page_size: int = PAGE
) -> AsyncIterator[list[list[Any]]]:
    base = with_api_columns(
        base_select(plan.table_id, plan.database_id).where(and_(true(), *plan.conditions)), plan.fieldset, field_types
    )
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            if plan.order:
                stmt = base.order_by(*plan.order, rows.c.order, rows.c.id)
                result = await conn.stream(stmt.execution_options(yield_per=page_size))
                async for partition in result.partitions(page_size):
                    yield _records(plan, field_types, list(partition))
                return

            last: tuple[Any, int] | None = None
            while True:
                stmt = base
                if last is not None:
                    stmt = stmt.where(tuple_(rows.c.order, rows.c.id) > tuple_(*last))
                found = (await conn.execute(stmt.order_by(rows.c.order, rows.c.id).limit(page_size))).all()
                if not found:
                    return
                yield _records(plan, field_types, found)
                if len(found) < page_size:
                    return
                last = (found[-1].order, found[-1].id)


def column_index(plan: ExportPlan, ref: str | None, name: str) -> int:
    """The position of a column named by field id or name (GeoJSON's lat_field / lon_field)."""
    if not ref:
        raise errors.QueryInvalid({name: [{"error": "A field id or name is required.", "code": "required"}]})
    for index, f in enumerate(plan.columns):
        if ref == str(f.id) or ref == f"field_{f.id}" or ref == f.name:
            return index
    raise errors.QueryInvalid({name: [{"error": f"No visible field {ref!r} in this export.", "code": "invalid"}]})
