"""Tables: each user table is a partition of `rows`, created and dropped with the table."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import fields, links, tables, views
from nocodedb.queries.rows import FieldSet
from nocodedb.services.actor import Actor, database_scope, table_scope
from nocodedb.services.metadata import load_fields
from nocodedb.services.rows import insert_rows

MAX_IMPORT_ROWS = 5_000
MAX_IMPORT_COLUMNS = 200


def table_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "order": row.order, "database_id": row.database_id}


async def create_table_storage(conn: AsyncConnection, table_id: int) -> None:
    # The identifier is built from an integer id only: no user text ever reaches DDL.
    await conn.execute(text(f"CREATE TABLE rows_{int(table_id)} PARTITION OF rows FOR VALUES IN ({int(table_id)})"))


async def drop_table_storage(conn: AsyncConnection, table_id: int) -> None:
    field_ids = list((await conn.execute(select(fields.c.id).where(fields.c.table_id == table_id))).scalars())
    if field_ids:
        await conn.execute(delete(links).where(links.c.field_id.in_(field_ids)))
    await conn.execute(text(f"DROP TABLE IF EXISTS rows_{int(table_id)}"))


def _grid_view(table_id: int) -> dict[str, Any]:
    return {
        "table_id": table_id,
        "name": "Grid",
        "type": "grid",
        "order": 1,
        "slug": secrets.token_urlsafe(24),
    }


def _normalize_data(data: Any, first_row_header: bool) -> tuple[list[str], list[list[str]]]:
    if not isinstance(data, list) or not data or not all(isinstance(r, list) for r in data):
        raise errors.RequestBodyInvalid(
            {"data": [{"error": "data must be a non-empty list of lists.", "code": "invalid"}]}
        )
    if len(data) > MAX_IMPORT_ROWS + 1:
        raise errors.RequestBodyInvalid({"data": [{"error": f"At most {MAX_IMPORT_ROWS} rows.", "code": "max_length"}]})
    width = max(len(r) for r in data)
    if width == 0 or width > MAX_IMPORT_COLUMNS:
        raise errors.RequestBodyInvalid(
            {"data": [{"error": f"Between 1 and {MAX_IMPORT_COLUMNS} columns.", "code": "invalid"}]}
        )
    cells = [["" if c is None else str(c) for c in r] + [""] * (width - len(r)) for r in data]
    if first_row_header:
        header, body = cells[0], cells[1:]
    else:
        header, body = [f"Field {i + 1}" for i in range(width)], cells
    names: list[str] = []
    for index, raw in enumerate(header):
        name = (raw.strip() or f"Field {index + 1}")[:255]
        candidate, n = name, 2
        while candidate.lower() in {x.lower() for x in names}:
            candidate, n = f"{name} {n}", n + 1
        names.append(candidate)
    return names, body


async def create_table(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    database_id: int,
    name: str,
    data: Any = None,
    first_row_header: bool = False,
) -> dict[str, Any]:
    await database_scope(conn, actor, database_id, "builder")
    order = (
        await conn.execute(
            select(func.coalesce(func.max(tables.c.order), 0) + 1).where(tables.c.database_id == database_id)
        )
    ).scalar_one()
    row = (
        await conn.execute(insert(tables).values(database_id=database_id, name=name, order=order).returning(tables))
    ).one()
    await create_table_storage(conn, row.id)
    await conn.execute(insert(views).values(**_grid_view(row.id)))

    if data is not None:
        names, body = _normalize_data(data, first_row_header)
        specs = [{"name": n, "type": "text", "primary": i == 0} for i, n in enumerate(names)]
        initial_rows: list[list[Any]] = body
    else:
        specs = [
            {"name": "Name", "type": "text", "primary": True},
            {"name": "Notes", "type": "long_text", "primary": False},
            {"name": "Active", "type": "boolean", "primary": False},
        ]
        initial_rows = [[None, None, None], [None, None, None]]
    created = []
    for position, spec in enumerate(specs):
        field_row = (
            await conn.execute(
                insert(fields)
                .values(
                    table_id=row.id,
                    name=spec["name"],
                    type=spec["type"],
                    options=field_types.get(spec["type"]).validate_options({}),
                    order=position,
                    primary=spec["primary"],
                )
                .returning(fields.c.id)
            )
        ).scalar_one()
        created.append(field_row)
    fieldset = FieldSet(await load_fields(conn, row.id))
    prepared = []
    for cells in initial_rows:
        values = {}
        for f, cell in zip(fieldset.fields, cells, strict=False):
            parsed = field_types.get(f.type).parse_text(f, cell) if isinstance(cell, str) else cell
            if parsed is not None:
                values[f.key] = field_types.get(f.type).prepare_value(f, parsed)
        prepared.append(values)
    scope = await table_scope(conn, actor, row.id, minimum="builder")
    await insert_rows(conn, actor, scope, fieldset, field_types, prepared)
    return table_json(row)


async def list_tables(conn: AsyncConnection, actor: Actor, database_id: int) -> list[dict[str, Any]]:
    await database_scope(conn, actor, database_id, "viewer")
    found = await conn.execute(
        select(tables).where(tables.c.database_id == database_id).order_by(tables.c.order, tables.c.id)
    )
    return [table_json(r) for r in found]


async def get_table(conn: AsyncConnection, actor: Actor, table_id: int) -> dict[str, Any]:
    await table_scope(conn, actor, table_id, minimum="viewer")
    row = (await conn.execute(select(tables).where(tables.c.id == table_id))).one()
    return table_json(row)


async def update_table(conn: AsyncConnection, actor: Actor, table_id: int, name: str) -> dict[str, Any]:
    await table_scope(conn, actor, table_id, minimum="builder")
    row = (await conn.execute(update(tables).where(tables.c.id == table_id).values(name=name).returning(tables))).one()
    return table_json(row)


async def delete_table(conn: AsyncConnection, actor: Actor, table_id: int) -> None:
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    # trash: the partition is detached and the metadata kept, restorable for NOCODEDB_TRASH_DAYS days.
    from fields import default_field_types
    from nocodedb.services.trash_tables import trash_table
    from views.filters import default_filter_types

    await trash_table(conn, default_field_types(), default_filter_types(), actor, table_id, scope.workspace_id)
