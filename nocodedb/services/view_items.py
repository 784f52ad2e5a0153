"""A view's filters, filter groups, sorts, group-bys and field options: each a list item with an id.

An item is found by id with a JSONB containment query (GIN-indexed), its view locked FOR UPDATE, the list
rewritten. Builders change them; viewers read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.base import for_field
from nocodedb import errors, events
from nocodedb.db.schema import views
from nocodedb.services import undo  # undo: filter, sort and group-by changes recorded for Ctrl+Z
from nocodedb.services.actor import Actor, Role
from nocodedb.services.metadata import load_fields
from nocodedb.services.views import filter_json, load_view, next_item_id, view_types
from views.filters import MAX_VALUE_LENGTH, FilterType
from views.tree import group_descendants
from views.types import ViewOptionsError

MAX_FILTERS = 100
MAX_SORTS = 20
COLUMNS = {
    "filters": views.c.filters,
    "filter_groups": views.c.filter_groups,
    "sorts": views.c.sorts,
    "group_bys": views.c.group_bys,
}
NOT_FOUND = {
    "filters": errors.ViewFilterNotFound,
    "filter_groups": errors.ViewFilterGroupNotFound,
    "sorts": errors.ViewSortNotFound,
    "group_bys": errors.ViewGroupByNotFound,
}


async def _view_of_item(conn: AsyncConnection, actor: Actor, kind: str, item_id: int, minimum: Role) -> Any:
    column = COLUMNS[kind]
    view_id = (
        await conn.execute(select(views.c.id).where(column.op("@>")(literal([{"id": item_id}], JSONB))))
    ).scalar_one_or_none()
    if view_id is None:
        actor.require_user()
        raise NOT_FOUND[kind]()
    row, _ = await load_view(conn, actor, view_id, minimum, lock=minimum != "viewer")
    return row


def _item(row: Any, kind: str, item_id: int) -> dict[str, Any]:
    for item in getattr(row, kind) or []:
        if item.get("id") == item_id:
            return dict(item)
    raise NOT_FOUND[kind]()


async def _save(conn: AsyncConnection, actor: Actor, row: Any, kind: str, items: list[dict[str, Any]]) -> None:
    await undo.view_changed(conn, actor, row, {kind: items})  # undo: row is the view as read before
    await conn.execute(update(views).where(views.c.id == row.id).values({kind: items}))
    await events.view_event(conn, actor, "view.updated", row, changed=[kind])


def _field_of(table_fields: list[Field], ref: Any) -> Field:
    for f in table_fields:
        if f.id == ref and not isinstance(ref, bool):
            return f
    raise errors.FieldNotInTable(f"The field {ref!r} is not a field of this table.")


def _check_filter(
    spec: dict[str, Any],
    table_fields: list[Field],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
) -> dict[str, Any]:
    f = _field_of(table_fields, spec.get("field"))
    type_name = spec.get("type")
    if not isinstance(type_name, str) or type_name not in filter_types:
        raise errors.FilterTypeUnknown(f"The filter type {type_name!r} does not exist.")
    if not filter_types.get(type_name).compatible(for_field(field_types.get(f.type), f)):
        raise errors.FilterNotCompatible(f"The filter {type_name!r} does not apply to a {f.type} field.")
    value = spec.get("value", "")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise errors.RequestBodyInvalid({"value": [{"error": "A filter value is a string.", "code": "invalid"}]})
    value = str(value)
    if len(value) > MAX_VALUE_LENGTH:
        raise errors.RequestBodyInvalid({"value": [{"error": "Too long.", "code": "max_length"}]})
    return {"field": f.id, "type": type_name, "value": value}


def _check_group(row: Any, group: Any) -> int | None:
    if group is None:
        return None
    if not any(g.get("id") == group for g in row.filter_groups or []) or isinstance(group, bool):
        raise errors.ViewFilterGroupNotFound()
    return int(group)


def _require(row: Any, feature: str) -> None:
    view_type = view_types().get(row.type)
    if not getattr(view_type, f"can_{feature}"):
        raise errors.ViewFeatureNotSupported(f"A {row.type} view cannot {feature.replace('_', ' ')}.")


def _body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("The body must be a JSON object.")
    return body


# --- filters ------------------------------------------------------------------------------------------


async def list_filters(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
) -> list[dict[str, Any]]:
    row, _ = await load_view(conn, actor, view_id, "viewer")
    table_fields = await load_fields(conn, row.table_id)
    return [filter_json(row.id, f, table_fields, field_types, filter_types) for f in row.filters or []]


async def create_filter(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
    body: Any,
) -> dict[str, Any]:
    body = _body(body)
    row, _ = await load_view(conn, actor, view_id, "builder", lock=True)
    _require(row, "filter")
    table_fields = await load_fields(conn, row.table_id)
    item = _check_filter(body, table_fields, field_types, filter_types)
    item["group"] = _check_group(row, body.get("group"))
    items = list(row.filters or [])
    if len(items) >= MAX_FILTERS:
        raise errors.RequestBodyInvalid(f"A view may have at most {MAX_FILTERS} filters.")
    item["id"] = await next_item_id(conn)
    await _save(conn, actor, row, "filters", [*items, item])
    return filter_json(row.id, item, table_fields, field_types, filter_types)


async def get_filter(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    filter_id: int,
) -> dict[str, Any]:
    row = await _view_of_item(conn, actor, "filters", filter_id, "viewer")
    table_fields = await load_fields(conn, row.table_id)
    return filter_json(row.id, _item(row, "filters", filter_id), table_fields, field_types, filter_types)


async def update_filter(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    filter_id: int,
    body: Any,
) -> dict[str, Any]:
    body = _body(body)
    row = await _view_of_item(conn, actor, "filters", filter_id, "builder")
    table_fields = await load_fields(conn, row.table_id)
    old = _item(row, "filters", filter_id)
    merged = {**old, **{k: body[k] for k in ("field", "type", "value") if k in body}}
    item = {**old, **_check_filter(merged, table_fields, field_types, filter_types)}
    if "group" in body:
        item["group"] = _check_group(row, body["group"])
    await _save(conn, actor, row, "filters", [item if i.get("id") == filter_id else i for i in row.filters])
    return filter_json(row.id, item, table_fields, field_types, filter_types)


async def delete_filter(conn: AsyncConnection, actor: Actor, filter_id: int) -> None:
    row = await _view_of_item(conn, actor, "filters", filter_id, "builder")
    await _save(conn, actor, row, "filters", [i for i in row.filters if i.get("id") != filter_id])


# --- filter groups ------------------------------------------------------------------------------------


async def create_filter_group(conn: AsyncConnection, actor: Actor, view_id: int, body: Any) -> dict[str, Any]:
    body = _body(body)
    row, _ = await load_view(conn, actor, view_id, "builder", lock=True)
    _require(row, "filter")
    kind = str(body.get("filter_type", "AND")).upper()
    if kind not in ("AND", "OR"):
        raise errors.RequestBodyInvalid({"filter_type": [{"error": "AND or OR.", "code": "invalid_choice"}]})
    groups = list(row.filter_groups or [])
    if len(groups) >= MAX_FILTERS:
        raise errors.RequestBodyInvalid(f"A view may have at most {MAX_FILTERS} filter groups.")
    group = {
        "id": await next_item_id(conn),
        "filter_type": kind,
        "parent_group": _check_group(row, body.get("parent_group")),
    }
    await _save(conn, actor, row, "filter_groups", [*groups, group])
    return {**group, "view": row.id}


async def update_filter_group(conn: AsyncConnection, actor: Actor, group_id: int, body: Any) -> dict[str, Any]:
    body = _body(body)
    row = await _view_of_item(conn, actor, "filter_groups", group_id, "builder")
    group = _item(row, "filter_groups", group_id)
    if "filter_type" in body:
        kind = str(body["filter_type"]).upper()
        if kind not in ("AND", "OR"):
            raise errors.RequestBodyInvalid({"filter_type": [{"error": "AND or OR.", "code": "invalid_choice"}]})
        group["filter_type"] = kind
    items = [group if g.get("id") == group_id else g for g in row.filter_groups]
    await _save(conn, actor, row, "filter_groups", items)
    return {**group, "view": row.id}


async def delete_filter_group(conn: AsyncConnection, actor: Actor, group_id: int) -> None:
    """The group goes with its sub-groups and their filters."""
    row = await _view_of_item(conn, actor, "filter_groups", group_id, "builder")
    gone = group_descendants(list(row.filter_groups), group_id)
    await _save(conn, actor, row, "filter_groups", [g for g in row.filter_groups if g["id"] not in gone])
    await _save(conn, actor, row, "filters", [f for f in row.filters or [] if f.get("group") not in gone])


# --- sorts and group-bys ------------------------------------------------------------------------------


def _check_sort(spec: dict[str, Any], table_fields: list[Field]) -> dict[str, Any]:
    f = _field_of(table_fields, spec.get("field"))
    order = str(spec.get("order", "ASC")).upper()
    if order not in ("ASC", "DESC"):
        raise errors.RequestBodyInvalid({"order": [{"error": "ASC or DESC.", "code": "invalid_choice"}]})
    sort_type = spec.get("type") or "default"
    if sort_type not in ("default", "order"):
        raise errors.RequestBodyInvalid({"type": [{"error": "default or order.", "code": "invalid_choice"}]})
    return {"field": f.id, "order": order, "type": sort_type}


async def list_items(conn: AsyncConnection, actor: Actor, view_id: int, kind: str) -> list[dict[str, Any]]:
    row, _ = await load_view(conn, actor, view_id, "viewer")
    return [{**i, "view": row.id} for i in getattr(row, kind) or []]


async def create_sort_item(conn: AsyncConnection, actor: Actor, view_id: int, kind: str, body: Any) -> dict[str, Any]:
    body = _body(body)
    row, _ = await load_view(conn, actor, view_id, "builder", lock=True)
    _require(row, "sort" if kind == "sorts" else "group_by")
    item = _check_sort(body, await load_fields(conn, row.table_id))
    items = list(getattr(row, kind) or [])
    if any(i.get("field") == item["field"] for i in items):
        raise (errors.ViewSortFieldTaken if kind == "sorts" else errors.ViewGroupByFieldTaken)()
    if len(items) >= MAX_SORTS:
        raise errors.RequestBodyInvalid(f"A view may have at most {MAX_SORTS} of these.")
    item["id"] = await next_item_id(conn)
    await _save(conn, actor, row, kind, [*items, item])
    return {**item, "view": row.id}


async def get_sort_item(conn: AsyncConnection, actor: Actor, kind: str, item_id: int) -> dict[str, Any]:
    row = await _view_of_item(conn, actor, kind, item_id, "viewer")
    return {**_item(row, kind, item_id), "view": row.id}


async def update_sort_item(conn: AsyncConnection, actor: Actor, kind: str, item_id: int, body: Any) -> dict[str, Any]:
    body = _body(body)
    row = await _view_of_item(conn, actor, kind, item_id, "builder")
    old = _item(row, kind, item_id)
    item = {**old, **_check_sort({**old, **body}, await load_fields(conn, row.table_id))}
    items = list(getattr(row, kind))
    if any(i.get("field") == item["field"] and i.get("id") != item_id for i in items):
        raise (errors.ViewSortFieldTaken if kind == "sorts" else errors.ViewGroupByFieldTaken)()
    await _save(conn, actor, row, kind, [item if i.get("id") == item_id else i for i in items])
    return {**item, "view": row.id}


async def delete_sort_item(conn: AsyncConnection, actor: Actor, kind: str, item_id: int) -> None:
    row = await _view_of_item(conn, actor, kind, item_id, "builder")
    await _save(conn, actor, row, kind, [i for i in getattr(row, kind) if i.get("id") != item_id])


# --- field options ------------------------------------------------------------------------------------


async def get_field_options(conn: AsyncConnection, actor: Actor, view_id: int) -> dict[str, Any]:
    row, _ = await load_view(conn, actor, view_id, "viewer")
    table_fields = await load_fields(conn, row.table_id)
    view_type = view_types().get(row.type)
    return {"field_options": view_type.field_options_for(table_fields, row.field_options or {})}


async def update_field_options(conn: AsyncConnection, actor: Actor, view_id: int, body: Any) -> dict[str, Any]:
    body = _body(body)
    row, _ = await load_view(conn, actor, view_id, "builder", lock=True)
    changes = body.get("field_options")
    if not isinstance(changes, dict):
        raise errors.RequestBodyInvalid({"field_options": [{"error": "An object by field id.", "code": "invalid"}]})
    table_fields = await load_fields(conn, row.table_id)
    known = {str(f.id): f for f in table_fields}
    view_type = view_types().get(row.type)
    current = view_type.field_options_for(table_fields, row.field_options or {})
    problems: dict[str, Any] = {}
    for key, patch in changes.items():
        key = str(key)
        if key not in known:
            problems[key] = [{"error": "Not a field of this table.", "code": "unknown_field"}]
            continue
        if not isinstance(patch, dict):
            problems[key] = [{"error": "An object of options.", "code": "invalid"}]
            continue
        try:
            current[key] = view_type.validate_field_options(patch, current[key])
        except ViewOptionsError as exc:
            problems[key] = exc.detail
    if problems:
        raise errors.RequestBodyInvalid({"field_options": problems})
    await conn.execute(update(views).where(views.c.id == row.id).values(field_options=current))
    await events.view_event(conn, actor, "view.updated", row, changed=["field_options"])
    return {"field_options": current}
