"""Fields: create, update (rename, options, type change with set-based conversion), delete."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource
from nocodedb import errors, events  # events: change events (nocodedb/events/)
from nocodedb.computed.engine import load_graph, lock_database
from nocodedb.computed.setup import enrich_options
from nocodedb.db.schema import fields as fields_table
from nocodedb.db.schema import rows
from nocodedb.services import computed_fields, undo  # undo: actions recorded for the page's Ctrl+Z
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.metadata import field_json, load_field, load_fields, row_source, to_field
from nocodedb.services.table_rewrite import remove_key, set_search_index_aside
from views.filters import FilterType, default_filter_types

RESERVED_NAMES = {"id", "order"}
MAX_FIELDS_PER_TABLE = 500
# Distinct values turned into select options when a text field becomes a select; more are cut.
MAX_NEW_OPTIONS = 1000


def _validation_detail(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    detail: dict[str, list[dict[str, str]]] = {}
    for problem in exc.errors():
        key = ".".join(str(p) for p in problem["loc"]) or "non_field_errors"
        detail.setdefault(key, []).append({"error": problem["msg"], "code": problem["type"]})
    return detail


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise errors.RequestBodyInvalid({"name": [{"error": "A field needs a name.", "code": "required"}]})
    name = name.strip()
    if len(name) > 255:
        raise errors.RequestBodyInvalid({"name": [{"error": "At most 255 characters.", "code": "max_length"}]})
    if name.lower() in RESERVED_NAMES:
        raise errors.APIError(f"The name {name!r} is reserved.")
    return name


def _field_type(field_types: Registry[FieldType], type_name: Any) -> FieldType:
    if not isinstance(type_name, str) or type_name not in field_types:
        raise errors.FieldTypeUnknown(f"The field type {type_name!r} does not exist.")
    return field_types.get(type_name)


def _options(field_type: FieldType, spec: dict[str, Any], old: Field | None) -> dict[str, Any]:
    raw = {k: v for k, v in spec.items() if k not in {"name", "type", "description", "id", "order"}}
    if old is not None and old.type == field_type.type:
        raw = {**old.options, **raw}
    try:
        return field_type.validate_options(raw, old)
    except ValidationError as exc:
        raise errors.RequestBodyInvalid(_validation_detail(exc)) from None
    except ValueError as exc:
        raise errors.RequestBodyInvalid({"non_field_errors": [{"error": str(exc), "code": "invalid"}]}) from None


async def _run_ddl(conn: AsyncConnection, statements: list[str]) -> None:
    for statement in statements:
        await conn.execute(text(statement))


async def _fill_automatic(conn: AsyncConnection, field_type: FieldType, f: Field, table_id: int) -> None:
    """Give existing rows a value for a new automatic field (autonumber, uuid), in row order."""
    ordered_ids = select(rows.c.id).where(rows.c.table_id == table_id).order_by(rows.c.order, rows.c.id)
    source = field_type.fill_existing_sql(f, ordered_ids)
    if source is None:
        return
    filled = source.subquery("filled")
    await conn.execute(
        update(rows)
        .where(rows.c.table_id == table_id, rows.c.id == filled.c.id)
        .values(data=rows.c.data.op("||")(func.jsonb_build_object(literal(f.key), filled.c.value)))
    )


async def create_field(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    table_id: int,
    spec: dict[str, Any],
    filter_types: Registry[FilterType] | None = None,
) -> dict[str, Any]:
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    name = _check_name(spec.get("name"))
    field_type = _field_type(field_types, spec.get("type"))
    options = _options(field_type, spec, None)
    graph = None
    if computed_fields.is_computed(field_type.type):
        await lock_database(conn, scope.database_id)
        graph = await load_graph(conn, scope.database_id)
        options = enrich_options(graph, field_types, table_id, field_type.type, options)
        options = await _check_formula(graph, field_types, table_id, field_type.type, options)
    existing = await load_fields(conn, table_id)
    if len(existing) >= MAX_FIELDS_PER_TABLE:
        raise errors.APIError(f"A table has at most {MAX_FIELDS_PER_TABLE} fields.")
    order = max((f.order for f in existing), default=-1) + 1
    try:
        async with conn.begin_nested():
            created = (
                await conn.execute(
                    insert(fields_table)
                    .values(
                        table_id=table_id,
                        name=name,
                        type=field_type.type,
                        options=options,
                        order=order,
                        primary=False,
                        description=spec.get("description") if isinstance(spec.get("description"), str) else None,
                    )
                    .returning(fields_table)
                )
            ).one()
    except IntegrityError:
        raise errors.FieldNameTaken() from None
    f = to_field(created)
    await _run_ddl(conn, _hook_list(field_type, "ddl_on_create", f, table_id))
    await _fill_automatic(conn, field_type, f, table_id)
    filter_types = filter_types or default_filter_types()
    if graph is not None:
        f = await computed_fields.after_save(conn, graph, field_types, filter_types, f, created=True)
    else:
        graph = await load_graph(conn, scope.database_id)
    # A formula that named a deleted field of this name works again.
    await computed_fields.refresh_formulas_naming(conn, graph, field_types, filter_types, f)
    # events: field.created (and rows recomputed elsewhere)
    await events.field_event(conn, actor, scope, "field.created", f.id, field_json(f, field_types), field_types)
    await undo.field_created(conn, actor, scope, f.id)  # undo
    return field_json(f, field_types)


async def _check_formula(
    graph: Any,
    field_types: Registry[FieldType],
    table_id: int,
    type_name: str,
    options: dict[str, Any],
    field_id: int | None = None,
) -> dict[str, Any]:
    if type_name != "formula":
        return options
    from nocodedb.services.formula_fields import checked_formula_options

    return checked_formula_options(graph, field_types, table_id, options, field_id)


def _hook_list(field_type: FieldType, name: str, *args: Any) -> list[str]:
    hook = getattr(field_type, name, None)
    return list(hook(*args)) if hook else []


async def get_field(
    conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, field_id: int
) -> dict[str, Any]:
    f = await load_field(conn, field_id)
    if f is None:
        raise errors.FieldNotFound()
    await table_scope(conn, actor, f.table_id, minimum="viewer", operation="read")
    return field_json(f, field_types)


async def list_fields(
    conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, table_id: int
) -> list[dict[str, Any]]:
    await table_scope(conn, actor, table_id, minimum="viewer", operation="read")
    return [field_json(f, field_types) for f in await load_fields(conn, table_id)]


def converted_value_sql(
    field_types: Registry[FieldType], old: Field, new: Field, src: RowSource
) -> ColumnElement[Any] | None:
    """The stored value a row gets when `old` becomes `new`; None when the values stay as they are.

    Shared with the type-change preview (services/field_preview.py) so the warning counts what the change does.
    """
    old_type, new_type = field_types.get(old.type), field_types.get(new.type)
    if old.type == new.type:
        same_type = getattr(new_type, "convert_same_type_sql", None)
        return same_type(old, new, src) if same_type is not None else None
    return new_type.from_text_sql(new, old_type.text_sql(old, src))


async def _convert_values(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    old: Field,
    new: Field,
) -> int:
    """Rewrite every stored value of the field for its new type in one UPDATE; return how many were lost."""
    old_type, new_type = field_types.get(old.type), field_types.get(new.type)
    src = row_source()
    if not new_type.stored_in_data or new_type.read_only:
        # The new values come from row columns or hooks, not from the old values.
        await remove_key(conn, old.table_id, new.key)
        return 0
    new_value = converted_value_sql(field_types, old, new, src)
    if new_value is None:
        return 0
    old_text = old_type.text_sql(old, src)
    await set_search_index_aside(conn, old.table_id)
    conversion = (
        select(
            rows.c.id.label("id"),
            old_text.label("old_text"),
            new_value.label("new_value"),
        )
        .where(rows.c.table_id == old.table_id)
        .cte("conversion")
    )
    changed = (
        update(rows)
        .where(rows.c.table_id == old.table_id, rows.c.id == conversion.c.id)
        .values(data=rows.c.data.op("||")(func.jsonb_build_object(literal(new.key), conversion.c.new_value)))
        .returning(conversion.c.old_text, conversion.c.new_value)
        .cte("changed")
    )
    lost = await conn.execute(
        select(func.count()).where(
            func.coalesce(changed.c.old_text, "") != "",
            changed.c.new_value.is_(None) | (func.jsonb_typeof(changed.c.new_value) == "null"),
        )
    )
    return int(lost.scalar_one())


async def _options_for_select_conversion(
    conn: AsyncConnection, field_types: Registry[FieldType], old: Field, new_type: FieldType, options: dict[str, Any]
) -> dict[str, Any]:
    """Text becoming a select: add an option for each distinct value, so no value is lost."""
    helper = getattr(new_type, "options_with_values", None)
    if helper is None or old.type in {"single_select", "multiple_select"}:
        return options
    src = row_source()
    texts = (
        await conn.execute(
            select(field_types.get(old.type).text_sql(old, src).label("t"))
            .where(rows.c.table_id == old.table_id)
            .distinct()
            .limit(MAX_NEW_OPTIONS)
        )
    ).scalars()
    values: list[str] = []
    for value in texts:
        if value is None:
            continue
        parts = value.split(",") if new_type.type == "multiple_select" else [value]
        values += [p.strip() for p in parts if p.strip()]
    return helper(options, values)


async def update_field(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    field_id: int,
    spec: dict[str, Any],
    filter_types: Registry[FilterType] | None = None,
) -> dict[str, Any]:
    old = await load_field(conn, field_id)
    if old is None:
        raise errors.FieldNotFound()
    scope = await table_scope(conn, actor, old.table_id, minimum="builder")
    filter_types = filter_types or default_filter_types()
    name = _check_name(spec["name"]) if "name" in spec else old.name
    new_type = _field_type(field_types, spec.get("type", old.type))
    if old.primary and not new_type.can_be_primary:
        raise errors.IncompatiblePrimaryType()
    options = _options(new_type, spec, old)
    await lock_database(conn, scope.database_id)
    graph = await load_graph(conn, scope.database_id)
    if computed_fields.is_computed(new_type.type):
        options = enrich_options(graph, field_types, old.table_id, new_type.type, options)
        options = await _check_formula(graph, field_types, old.table_id, new_type.type, options, field_id)
    if old.type != new_type.type:
        options = await _options_for_select_conversion(conn, field_types, old, new_type, options)
    description = spec.get("description", old.description)
    try:
        async with conn.begin_nested():
            updated = (
                await conn.execute(
                    update(fields_table)
                    .where(fields_table.c.id == field_id)
                    .values(
                        name=name,
                        type=new_type.type,
                        options=options,
                        description=description if isinstance(description, str) else None,
                    )
                    .returning(fields_table)
                )
            ).one()
    except IntegrityError:
        raise errors.FieldNameTaken() from None
    new = to_field(updated)
    await undo.field_updated(conn, actor, scope, old, new, field_types)  # undo: before the values convert
    lost = 0
    if old.type == "link_row" and new.type != "link_row":
        removed = await computed_fields.before_delete(conn, graph, old)
        await computed_fields.after_delete(conn, graph, field_types, filter_types, removed)
    if old.type != new.type or old.options != new.options:
        if old.type != new.type:
            await _run_ddl(conn, _hook_list(field_types.get(old.type), "ddl_on_delete", old))
            await _run_ddl(conn, _hook_list(new_type, "ddl_on_create", new, new.table_id))
        if not computed_fields.is_computed(new.type):
            lost = await _convert_values(conn, field_types, old, new)
        if old.type != new.type:
            await _fill_automatic(conn, new_type, new, new.table_id)
    graph.fields_by_id[new.id] = new
    if computed_fields.is_computed(new.type):
        if old.type != new.type or old.options != new.options:
            new = await computed_fields.after_save(conn, graph, field_types, filter_types, new, created=False)
    else:
        await computed_fields.store_edges_cleared(conn, graph, new)
    if old.type != new.type or old.options != new.options or (new.primary and old.name != new.name):
        await computed_fields.values_changed_everywhere(conn, graph, field_types, filter_types, new)
    if old.name != new.name or old.type != new.type or old.options != new.options:
        await computed_fields.refresh_formulas_naming(conn, graph, field_types, filter_types, new)
    # events: field.updated (and rows recomputed elsewhere)
    await events.field_event(conn, actor, scope, "field.updated", new.id, field_json(new, field_types), field_types)
    return {**field_json(new, field_types), "lost_values": lost}


async def delete_field(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    field_id: int,
    filter_types: Registry[FilterType] | None = None,
) -> list[int]:
    """Delete a field (and a link's other side); return the ids of the other fields deleted with it."""
    f = await load_field(conn, field_id)
    if f is None:
        raise errors.FieldNotFound()
    scope = await table_scope(conn, actor, f.table_id, minimum="builder")
    if f.primary:
        raise errors.CannotDeletePrimary()
    await lock_database(conn, scope.database_id)
    graph = await load_graph(conn, scope.database_id)
    from nocodedb.services.trash_structure import trash_field  # trash: values, links, edges kept for restore

    await trash_field(conn, actor, scope, f, graph)
    removed = await computed_fields.before_delete(conn, graph, f)
    await conn.execute(delete(fields_table).where(fields_table.c.id == field_id))
    await remove_key(conn, f.table_id, f.key)
    # ddl_on_delete (sequences) runs when the trash entry is deleted for good: trash_structure.drop_for_good.
    await computed_fields.after_delete(conn, graph, field_types, filter_types or default_filter_types(), [f, *removed])
    await events.fields_deleted(conn, actor, scope, f, removed, field_types)  # events
    await undo.field_deleted(conn, actor, scope, f.id)  # undo
    return [r.id for r in removed]
