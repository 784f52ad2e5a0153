"""Creating, updating and deleting rows: validate every value first, then one set-based statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Numeric,
    bindparam,
    column,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, FieldValueError, Registry
from nocodedb import errors, events  # events: change events, outbox + webhooks (nocodedb/events/)
from nocodedb.computed.engine import DatabaseGraph, Recomputer, load_graph, lock_database
from nocodedb.db.schema import field_dependencies, rows
from nocodedb.db.schema import tables as tables_table
from nocodedb.db.types import json_records
from nocodedb.queries.rows import FieldSet, api_columns, fetch_rows, returning_is_enough
from nocodedb.services import undo  # undo: actions recorded for the page's Ctrl+Z
from nocodedb.services.actor import Actor, TableScope, minimum_role_for, table_scope
from nocodedb.services.links import write_links
from nocodedb.services.metadata import load_fields
from views.filters import FilterType

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
            problems[key] = [{"error": f"The field {f.name!r} is computed and cannot be written.", "code": "read_only"}]
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


async def _orders_before(
    conn: AsyncConnection, scope: TableScope, count: int, before_id: int
) -> tuple[Decimal, Decimal]:
    """First order and step for `count` new rows placed just before row `before_id`."""
    before = (
        await conn.execute(select(rows.c.order).where(rows.c.table_id == scope.table_id, rows.c.id == before_id))
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
    # full=False: imports insert thousands of rows and need only ids, not the rows read back (import_export).
    inserted = await insert_rows_returning(conn, actor, scope, fieldset, field_types, prepared, before_id, full=False)
    return [r.id for r in inserted]


async def insert_rows_returning(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    prepared: list[dict[str, Any]],
    before_id: int | None = None,
    full: bool = True,
) -> list[Any]:
    """Insert already validated rows; return them as the read queries do (id, order, data, extra
    columns), in input order, straight from RETURNING: no second read of what was just written.
    full=False returns (id, order) only."""
    if not prepared:
        return []
    defaults = defaults_for(fieldset, field_types)
    if before_id is None:
        # At the end: the next whole number after the last order, found by the insert itself.
        last = select(func.max(rows.c.order)).where(rows.c.table_id == scope.table_id).scalar_subquery()
        start: Any = func.floor(func.coalesce(last, 0)) + 1
        step: Any = literal(1, Numeric)
    else:
        first, increment = await _orders_before(conn, scope, len(prepared), before_id)
        start, step = literal(first, Numeric), literal(increment, Numeric)
    items = [{**defaults, **values} for values in prepared]
    source = (
        select(
            column("value", JSONB).label("data"),
            column("ordinality", BigInteger).label("position"),
        )
        .select_from(
            # The items are given at execute time, not kept in the statement: a statement's bound value
            # stayed reachable through reference cycles after the insert, so an import's batches piled up
            # until a full collection (tracemalloc: 31.7 MB peak at 100,000 rows before, 8.7 MB after).
            func.jsonb_array_elements(bindparam("items", type_=JSONB)).table_valued(
                "value", with_ordinality="ordinality"
            )
        )
        .subquery("src")
    )
    automatic = automatic_values_sql(fieldset, field_types)
    inserted_cte = (
        rows.insert()
        .from_select(
            ["database_id", "table_id", "order", "data", "created_by", "updated_by"],
            select(
                literal(scope.database_id, BigInteger),
                literal(scope.table_id, BigInteger),
                start + (source.c.position - 1) * step,
                source.c.data.op("||")(automatic),
                literal(actor.user_id, BigInteger),
                literal(actor.user_id, BigInteger),
            ).order_by(source.c.position),
        )
        .returning(
            *(
                api_columns(fieldset, field_types)
                if full and returning_is_enough(fieldset, field_types)
                else (rows.c.id, rows.c.order)
            )
        )
        .cte("inserted")
    )
    # tables.row_count moves in the same statement: one round trip for the whole write.
    counted = (
        update(tables_table)
        .where(tables_table.c.id == scope.table_id)
        .values(row_count=tables_table.c.row_count + select(func.count()).select_from(inserted_cte).scalar_subquery())
        .cte("counted")
    )
    inserted = (await conn.execute(select(inserted_cte).add_cte(counted), {"items": items})).all()
    return sorted(inserted, key=lambda r: r.order)


async def count_rows(conn: AsyncConnection, table_id: int, change: int) -> None:
    """Keep tables.row_count exact, in the same transaction as the insert or delete."""
    if change:
        counted = tables_table.c.row_count + change
        await conn.execute(update(tables_table).where(tables_table.c.id == table_id).values(row_count=counted))


async def _table_context(
    conn: AsyncConnection, actor: Actor, table_id: int, operation: str
) -> tuple[TableScope, FieldSet]:
    scope = await table_scope(
        conn,
        actor,
        table_id,
        minimum=minimum_role_for(operation),
        operation=operation,  # type: ignore[arg-type]
    )
    return scope, FieldSet(await load_fields(conn, table_id))


async def _graph_if_needed(conn: AsyncConnection, scope: TableScope, fieldset: FieldSet) -> DatabaseGraph | None:
    """The database's computed-field graph, when a write here can change computed values."""
    local = any(f.type in LINKED_OR_COMPUTED for f in fieldset.fields)
    if not local and scope.has_dependencies is not None:
        local = scope.has_dependencies
    elif not local:
        local = bool(
            (
                await conn.execute(
                    select(field_dependencies.c.id)
                    .where(field_dependencies.c.database_id == scope.database_id)
                    .limit(1)
                )
            ).first()
        )
    if not local:
        return None
    # Lock before the first row is written: see nocodedb/computed/engine.py.
    await lock_database(conn, scope.database_id)
    return await load_graph(conn, scope.database_id)


LINKED_OR_COMPUTED = {"link_row", "lookup", "rollup", "count", "formula"}


def split_links(
    fieldset: FieldSet, field_types: Registry[FieldType], prepared: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[int, dict[int, Any]]]:
    """Separate link cells (written to the links table) from values stored in data, per row index."""
    link_fields = {f.key: f for f in fieldset.fields if getattr(field_types.get(f.type), "writes_links", False)}
    plain: list[dict[str, Any]] = []
    link_values: dict[int, dict[int, Any]] = {}
    for index, values in enumerate(prepared):
        plain.append({k: v for k, v in values.items() if k not in link_fields})
        for key, f in link_fields.items():
            if key in values:
                link_values.setdefault(f.id, {})[index] = values[key]
    return plain, link_values


async def _write_links_and_recompute(
    conn: AsyncConnection,
    graph: DatabaseGraph | None,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    fieldset: FieldSet,
    row_ids: list[int],
    link_values: dict[int, dict[int, Any]],
    *,
    user_field_names: bool,
    dirty_fields: list[Field] | None = None,
    changed: dict[int, list[int]] | None = None,
    new_rows: bool = False,
) -> None:
    if graph is None:
        return
    writes = {
        field_id: {row_ids[index]: values for index, values in per_index.items()}
        for field_id, per_index in link_values.items()
    }
    api_keys = {f.id: fieldset.api_key(f, user_field_names) for f in fieldset.fields}
    # New rows (created under the database lock): the other side's reverse cells take them at their end.
    appended: dict[int, dict[int, list[int]]] | None = {} if new_rows else None
    try:
        dirty = await write_links(conn, graph, field_types, writes, api_keys, appended)
    except errors.RequestBodyInvalid as exc:
        raise errors.RequestBodyInvalid({"items": {"0": exc.detail}} if len(row_ids) == 1 else exc.detail) from None
    for f in dirty_fields or []:
        dirty.setdefault(f.id, set()).update(row_ids)
    await Recomputer(conn, graph, field_types, filter_types).run(dirty=dirty, changed=changed or {}, appended=appended)


async def create_rows(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    table_id: int,
    items: list[Any],
    *,
    user_field_names: bool,
    before_id: int | None = None,
    filter_types: Registry[FilterType] | None = None,
) -> tuple[FieldSet, list[Any]]:
    scope, fieldset = await _table_context(conn, actor, table_id, "create")
    prepared = prepare_batch(items, fieldset, field_types, user_field_names=user_field_names)
    graph = await _graph_if_needed(conn, scope, fieldset)
    plain, link_values = split_links(fieldset, field_types, prepared)
    inserted = await insert_rows_returning(conn, actor, scope, fieldset, field_types, plain, before_id)
    ids = [r.id for r in inserted]
    if graph is not None:
        computed = [f for f in graph.computed_fields_of(table_id) if f.type != "link_row"]
        await _write_links_and_recompute(
            conn,
            graph,
            field_types,
            filter_types or _filters(),
            fieldset,
            ids,
            link_values,
            user_field_names=user_field_names,
            dirty_fields=computed,
            new_rows=True,
        )
    # Recomputed values are only in the table after the recompute: read those rows again.
    complete = graph is None and returning_is_enough(fieldset, field_types)
    records = inserted if complete else await fetch_rows(conn, table_id, scope.database_id, ids, fieldset, field_types)
    await events.rows_created(conn, actor, scope, fieldset, field_types, records)  # events
    await undo.rows_created(conn, actor, scope, ids)  # undo
    return fieldset, records


def _filters() -> Registry[FilterType]:
    from views.filters import default_filter_types

    return default_filter_types()


async def _existing_ids(conn: AsyncConnection, scope: TableScope, ids: list[int]) -> set[int]:
    found = await conn.execute(select(rows.c.id).where(rows.c.table_id == scope.table_id, rows.c.id.in_(ids)))
    return set(found.scalars())


def _row_ids(raw: list[Any]) -> list[int]:
    ids = []
    for index, value in enumerate(raw):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
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
    filter_types: Registry[FilterType] | None = None,
) -> tuple[FieldSet, list[Any]]:
    scope, fieldset = await _table_context(conn, actor, table_id, "update")
    ids = _row_ids([item.get("id") if isinstance(item, dict) else None for item in items])
    if len(set(ids)) != len(ids):
        raise errors.RequestBodyInvalid({"items": "The same row appears twice in the batch."})
    prepared = prepare_batch(items, fieldset, field_types, user_field_names=user_field_names)
    graph = await _graph_if_needed(conn, scope, fieldset)
    before = await events.rows_before_update(conn, scope, fieldset, field_types, ids)  # events (locks the rows)
    missing = sorted(set(ids) - {r.id for r in before})
    if missing:
        raise errors.RowNotFound(f"The rows {missing} do not exist.")
    plain, link_values = split_links(fieldset, field_types, prepared)
    patches = [{"id": row_id, "patch": values} for row_id, values in zip(ids, plain, strict=True) if values]
    # Without computed values to refresh, the UPDATE's RETURNING is already the rows as reads show them.
    returned = graph is None and len(patches) == len(ids) and returning_is_enough(fieldset, field_types)
    records: list[Any] | None = None
    if patches:
        patch_source = (
            select(column("id", BigInteger), column("patch", JSONB))
            .select_from(
                json_records("patches", "patches", column("id", BigInteger), column("patch", JSONB), value=patches)
            )
            .subquery("p")
        )
        updated = await conn.execute(
            update(rows)
            .where(rows.c.table_id == scope.table_id, rows.c.id == patch_source.c.id)
            .values(data=rows.c.data.op("||")(patch_source.c.patch), updated_at=func.now(), updated_by=actor.user_id)
            .returning(*(api_columns(fieldset, field_types) if returned else (rows.c.id,)))
        )
        if returned:
            by_id = {r.id: r for r in updated.all()}
            records = [by_id[i] for i in ids]
    if graph is not None:
        changed: dict[int, list[int]] = {}
        for row_id, values in zip(ids, plain, strict=True):
            for key in values:
                changed.setdefault(int(key), []).append(row_id)
        await _write_links_and_recompute(
            conn,
            graph,
            field_types,
            filter_types or _filters(),
            fieldset,
            ids,
            link_values,
            user_field_names=user_field_names,
            changed=changed,
        )
    if records is None:
        records = await fetch_rows(conn, table_id, scope.database_id, ids, fieldset, field_types)
    await events.rows_updated(conn, actor, scope, fieldset, field_types, before, records)  # events
    await undo.rows_updated(conn, actor, scope, fieldset, field_types, before, records)  # undo
    return fieldset, records


async def delete_rows(
    conn: AsyncConnection,
    actor: Actor,
    table_id: int,
    raw_ids: list[Any],
    *,
    field_types: Registry[FieldType] | None = None,
    filter_types: Registry[FilterType] | None = None,
) -> None:
    scope = await table_scope(conn, actor, table_id, minimum="editor", operation="delete")
    ids = _row_ids(raw_ids)
    fieldset = FieldSet(await load_fields(conn, table_id))
    graph = await _graph_if_needed(conn, scope, fieldset)
    missing = sorted(set(ids) - await _existing_ids(conn, scope, ids))
    if missing:
        raise errors.RowNotFound(f"The rows {missing} do not exist.")
    from fields import default_field_types
    from nocodedb.services.trash_rows import move_rows_to_trash  # trash: rows and links kept for restore

    field_types = field_types or default_field_types()
    dirty = await move_rows_to_trash(conn, actor, scope, ids, graph, fieldset, field_types)
    if graph is not None and dirty:
        await Recomputer(conn, graph, field_types, filter_types or _filters()).run(dirty=dirty)
    await events.rows_deleted(conn, actor, scope, ids, field_types)  # events
    await undo.rows_deleted(conn, actor, scope, ids)  # undo
