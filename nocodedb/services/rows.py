"""Creating, updating and deleting rows: validate every value first, then one set-based statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, bindparam, column, delete, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, FieldValueError, Registry
from nocodedb import errors
from nocodedb.db.schema import links, rows
from nocodedb.queries.rows import FieldSet, fetch_rows
from nocodedb.services.actor import Actor, TableScope, minimum_role_for, table_scope
from nocodedb.services.metadata import load_fields

IGNORED_KEYS = {"id", "order"}


def prepare_values(
    item: Any,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    *,
    user_field_names: bool,
) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """API values of one row -> (stored values by field key, errors by API key)."""
    if not isinstance(item, dict):
        return {}, {"non_field_errors": [{"error": "A row must be a JSON object.", "code": "invalid"}]}
    values: dict[str, Any] = {}
    problems: dict[str, list[dict[str, str]]] = {}
    for key, value in item.items():
        if key in IGNORED_KEYS:
            continue
        f = fieldset.find(key, user_field_names)
        if f is None:
            problems[key] = [{"error": f"The field {key!r} does not exist in this table.", "code": "unknown_field"}]
            continue
        field_type = field_types.get(f.type)
        if field_type.read_only:
            problems[key] = [
                {"error": f"The field {f.name!r} is computed and cannot be written.", "code": "read_only"}
            ]
            continue
        try:
            values[f.key] = field_type.prepare_value(f, value)
        except FieldValueError as exc:
            problems[key] = [{"error": exc.message, "code": exc.code}]
    return values, problems


def prepare_batch(
    items: list[Any], fieldset: FieldSet, field_types: Registry[FieldType], *, user_field_names: bool
) -> list[dict[str, Any]]:
    prepared, problems = [], {}
    for index, item in enumerate(items):
        values, item_problems = prepare_values(item, fieldset, field_types, user_field_names=user_field_names)
        if item_problems:
            problems[str(index)] = item_problems
        prepared.append(values)
    if problems:
        raise errors.RequestBodyInvalid({"items": problems})
    return prepared


def defaults_for(fieldset: FieldSet, field_types: Registry[FieldType]) -> dict[str, Any]:
    defaults = {}
    for f in fieldset.fields:
        value = field_types.get(f.type).default_value(f)
        if value is not None:
            defaults[f.key] = value
    return defaults


def automatic_values_sql(fieldset: FieldSet, field_types: Registry[FieldType]) -> Any:
    """jsonb of per-row generated values (autonumber, uuid), evaluated once per inserted row."""
    parts: list[Any] = []
    for f in fieldset.fields:
        hook = getattr(field_types.get(f.type), "new_row_value_sql", None)
        expr = hook(f) if hook else None
        if expr is not None:
            parts += [literal(f.key), expr]
    return func.jsonb_build_object(*parts) if parts else literal({}, JSONB)


async def _orders(conn: AsyncConnection, scope: TableScope, count: int, before_id: int | None) -> tuple[Any, Any]:
    """First order and step for `count` new rows: at the end, or just before row `before_id`."""
    if before_id is None:
        last = (
            await conn.execute(
                select(func.max(rows.c.order)).where(rows.c.table_id == scope.table_id)
            )
        ).scalar_one()
        start = (Decimal(last) if last is not None else Decimal(0)).to_integral_value() + 1
        return start, Decimal(1)
    before = (
        await conn.execute(
            select(rows.c.order).where(rows.c.table_id == scope.table_id, rows.c.id == before_id)
        )
    ).scalar_one_or_none()
    if before is None:
        raise errors.RowNotFound(f"The row {before_id} given as 'before' does not exist.")
    previous = (
        await conn.execute(
            select(func.max(rows.c.order)).where(rows.c.table_id == scope.table_id, rows.c.order < before)
        )
    ).scalar_one_or_none()
    low = Decimal(previous) if previous is not None else Decimal(before) - 1
    step = (Decimal(before) - low) / (count + 1)
    return low + step, step


async def insert_rows(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    prepared: list[dict[str, Any]],
    before_id: int | None = None,
) -> list[int]:
    """Insert already validated rows in one statement; return their ids in input order."""
    if not prepared:
        return []
    defaults = defaults_for(fieldset, field_types)
    start, step = await _orders(conn, scope, len(prepared), before_id)
    items = [{**defaults, **values} for values in prepared]
    source = (
        select(
            column("value", JSONB).label("data"),
            column("ordinality", BigInteger).label("position"),
        )
        .select_from(func.jsonb_array_elements(bindparam("items", items, JSONB)).table_valued("value", with_ordinality="ordinality"))
        .subquery("src")
    )
    automatic = automatic_values_sql(fieldset, field_types)
    insert_stmt = (
        rows.insert()
        .from_select(
            ["database_id", "table_id", "order", "data", "created_by", "updated_by"],
            select(
                literal(scope.database_id, BigInteger),
                literal(scope.table_id, BigInteger),
                literal(start, Numeric) + (source.c.position - 1) * literal(step, Numeric),
                source.c.data.op("||")(automatic),
                literal(actor.user_id, BigInteger),
                literal(actor.user_id, BigInteger),
            ).order_by(source.c.position),
        )
        .returning(rows.c.id, rows.c.order)
    )
    inserted = (await conn.execute(insert_stmt)).all()
    return [r.id for r in sorted(inserted, key=lambda r: r.order)]


async def _table_context(
    conn: AsyncConnection, actor: Actor, table_id: int, operation: str
) -> tuple[TableScope, FieldSet]:
    scope = await table_scope(
        conn, actor, table_id, minimum=minimum_role_for(operation), operation=operation  # type: ignore[arg-type]
    )
    return scope, FieldSet(await load_fields(conn, table_id))


async def create_rows(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    table_id: int,
    items: list[Any],
    *,
    user_field_names: bool,
    before_id: int | None = None,
) -> tuple[FieldSet, list[Any]]:
    scope, fieldset = await _table_context(conn, actor, table_id, "create")
    prepared = prepare_batch(items, fieldset, field_types, user_field_names=user_field_names)
    ids = await insert_rows(conn, actor, scope, fieldset, field_types, prepared, before_id)
    return fieldset, await fetch_rows(conn, table_id, scope.database_id, ids, fieldset, field_types)


async def _existing_ids(conn: AsyncConnection, scope: TableScope, ids: list[int]) -> set[int]:
    found = await conn.execute(
        select(rows.c.id).where(rows.c.table_id == scope.table_id, rows.c.id.in_(ids))
    )
    return set(found.scalars())


def _row_ids(raw: list[Any]) -> list[int]:
    ids = []
    for index, value in enumerate(raw):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise errors.RequestBodyInvalid(
                {"items": {str(index): [{"error": "A row id must be a positive integer.", "code": "invalid"}]}}
            )
        ids.append(value)
    return ids


async def update_rows(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    table_id: int,
    items: list[Any],
    *,
    user_field_names: bool,
) -> tuple[FieldSet, list[Any]]:
    scope, fieldset = await _table_context(conn, actor, table_id, "update")
    ids = _row_ids([item.get("id") if isinstance(item, dict) else None for item in items])
    if len(set(ids)) != len(ids):
        raise errors.RequestBodyInvalid({"items": "The same row appears twice in the batch."})
    prepared = prepare_batch(items, fieldset, field_types, user_field_names=user_field_names)
    missing = sorted(set(ids) - await _existing_ids(conn, scope, ids))
    if missing:
        raise errors.RowNotFound(f"The rows {missing} do not exist.")
    patches = [{"id": row_id, "patch": values} for row_id, values in zip(ids, prepared, strict=True)]
    patch_source = (
        select(column("id", BigInteger), column("patch", JSONB))
        .select_from(
            func.jsonb_to_recordset(bindparam("patches", patches, JSONB)).table_valued(
                column("id", BigInteger), column("patch", JSONB)
            ).render_derived(with_types=True)
        )
        .subquery("p")
    )
    await conn.execute(
        update(rows)
        .where(rows.c.table_id == scope.table_id, rows.c.id == patch_source.c.id)
        .values(data=rows.c.data.op("||")(patch_source.c.patch), updated_at=func.now(), updated_by=actor.user_id)
    )
    return fieldset, await fetch_rows(conn, table_id, scope.database_id, ids, fieldset, field_types)


async def delete_rows(
    conn: AsyncConnection, actor: Actor, table_id: int, raw_ids: list[Any]
) -> None:
    scope = await table_scope(conn, actor, table_id, minimum="editor", operation="delete")
    ids = _row_ids(raw_ids)
    missing = sorted(set(ids) - await _existing_ids(conn, scope, ids))
    if missing:
        raise errors.RowNotFound(f"The rows {missing} do not exist.")
    await conn.execute(delete(rows).where(rows.c.table_id == scope.table_id, rows.c.id.in_(ids)))
    await conn.execute(
        delete(links).where(
            links.c.database_id == scope.database_id,
            (links.c.row_id.in_(ids)) | (links.c.target_row_id.in_(ids)),
        )
    )


