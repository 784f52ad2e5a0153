"""Group-by counts of a grid view: for each group-by level, how many rows each combination of values of
that level and the levels above it holds (Baserow's group_by_metadata)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb.db.schema import rows
from nocodedb.services.metadata import row_source
from views.tree import sort_expression

MAX_GROUPS = 1000


def group_value_sql(field_type: FieldType, f: Field) -> Any:
    src = row_source()
    if field_type.stored_in_data:
        return field_type.raw(f, src)
    extra = field_type.select_api_sql(f, src)
    return extra if extra is not None else field_type.sql_value(f, src)


async def group_counts(
    conn: AsyncConnection,
    table_id: int,
    database_id: int,
    conditions: list[Any],
    levels: list[Field],
    field_types: Registry[FieldType],
    group_bys: list[dict[str, Any]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{"field_<id>": [{"field_<id of each level so far>": api value, ..., "count": n}]} per level.

    Groups come in the order the view's rows are listed (each level's sort expression, direction and
    empty values first when ascending), so a page can place group headers from the counts alone."""
    where = [rows.c.table_id == table_id, rows.c.database_id == database_id, *conditions]
    src = row_source()
    out: dict[str, list[dict[str, Any]]] = {}
    for depth in range(1, len(levels) + 1):
        chosen = levels[:depth]
        values = [group_value_sql(field_types.get(f.type), f).label(f"g{i}") for i, f in enumerate(chosen)]
        # The sort keys depend on the grouped values only, so grouping by them as well splits nothing.
        keys, order = [], []
        for i, f in enumerate(chosen):
            item = (group_bys or [])[i] if i < len(group_bys or []) else {}
            key = sort_expression(field_types.get(f.type), f, src, str(item.get("type") or "default"))
            descending = str(item.get("order", "ASC")).upper() == "DESC"
            keys.append(key)
            order.append(key.desc().nulls_last() if descending else key.asc().nulls_first())
        found = await conn.execute(
            select(*values, func.count().label("count"))
            .select_from(rows)
            .where(*where)
            .group_by(*values, *keys)
            .order_by(*order, *values)
            .limit(MAX_GROUPS)
        )
        entries = []
        for r in found:
            entry: dict[str, Any] = {}
            for i, f in enumerate(chosen):
                stored = r._mapping[f"g{i}"]
                field_type = field_types.get(f.type)
                entry[f"field_{f.id}"] = (
                    field_type.empty_api_value(f) if stored is None else field_type.to_api(f, stored)
                )
            entry["count"] = int(r.count)
            entries.append(entry)
        out[f"field_{chosen[-1].id}"] = entries
    return out
