"""Running footer totals: every asked aggregation of a view in one SQL statement under the view's
filters (and search), plus one grouped statement per distribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb.db.schema import rows
from nocodedb.services.metadata import row_source
from views.aggregations import DISTRIBUTION, AggregationType, distribution_value

DISTRIBUTION_SIZE = 10


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


async def aggregate(
    conn: AsyncConnection,
    table_id: int,
    database_id: int,
    conditions: list[Any],
    wanted: list[tuple[str, Field, AggregationType]],
    field_types: Registry[FieldType],
    *,
    with_total: bool = False,
) -> dict[str, Any]:
    """{key: value} for each (key, field, aggregation); 'total' is the number of rows when asked."""
    src = row_source()
    where = [rows.c.table_id == table_id, rows.c.database_id == database_id, *conditions]
    columns = [
        agg.build(field_types.get(f.type), f, src).label(f"a{i}")
        for i, (_, f, agg) in enumerate(wanted)
        if agg.type != DISTRIBUTION
    ]
    total_column = func.count().label("total")
    found = (await conn.execute(select(*columns, total_column).select_from(rows).where(*where))).one()
    out: dict[str, Any] = {}
    for i, (key, f, agg) in enumerate(wanted):
        if agg.type == DISTRIBUTION:
            out[key] = await _distribution(conn, where, field_types.get(f.type), f, int(found.total))
        else:
            out[key] = jsonable(found._mapping[f"a{i}"])
    if with_total:
        out["total"] = int(found.total)
    return out


async def _distribution(
    conn: AsyncConnection, where: list[Any], field_type: FieldType, f: Field, total: int
) -> list[dict[str, Any]]:
    value = distribution_value(field_type, f, row_source()).label("value")
    count = func.count().label("count")
    found = await conn.execute(
        select(value, count)
        .select_from(rows)
        .where(*where)
        .group_by(value)
        .order_by(desc(count), value.asc().nulls_first())
        .limit(DISTRIBUTION_SIZE)
    )
    top = [{"value": r.value, "count": int(r.count)} for r in found]
    others = total - sum(item["count"] for item in top)
    if others > 0:
        top.append({"value": None, "count": others, "others": True})
    return top
