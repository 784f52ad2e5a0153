"""Reading a table's fields as fields.Field values, and showing them in the API's shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry, RowSource
from nocodedb.db.schema import fields as fields_table
from nocodedb.db.schema import rows


def row_source() -> RowSource:
    return RowSource(
        data=rows.c.data,
        id=rows.c.id,
        created_at=rows.c.created_at,
        updated_at=rows.c.updated_at,
        created_by=rows.c.created_by,
        updated_by=rows.c.updated_by,
    )


def to_field(row: Any) -> Field:
    return Field(
        id=row.id,
        table_id=row.table_id,
        name=row.name,
        type=row.type,
        options=dict(row.options or {}),
        order=row.order,
        primary=row.primary,
        description=row.description,
    )


async def load_fields(conn: AsyncConnection, table_id: int) -> list[Field]:
    found = await conn.execute(
        select(fields_table)
        .where(fields_table.c.table_id == table_id)
        .order_by(fields_table.c.order, fields_table.c.id)
    )
    return [to_field(r) for r in found]


async def load_field(conn: AsyncConnection, field_id: int) -> Field | None:
    found = (await conn.execute(select(fields_table).where(fields_table.c.id == field_id))).one_or_none()
    return to_field(found) if found else None


def field_json(f: Field, field_types: Registry[FieldType]) -> dict[str, Any]:
    field_type = field_types.get(f.type)
    return {
        "id": f.id,
        "table_id": f.table_id,
        "name": f.name,
        "order": f.order,
        "type": f.type,
        "primary": f.primary,
        "read_only": field_type.read_only,
        "description": f.description,
        **field_type.api_options(f),
    }
