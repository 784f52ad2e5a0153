"""Views: list, create, rename/options, duplicate, reorder, share, delete. Builders change, viewers read.

A view's filters, filter groups, sorts and group-bys live as lists in its JSONB columns, each item with
an id from view_item_id_seq (see nocodedb/services/view_items.py); field options map field ids to the
view type's per-field options.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb import errors, events
from nocodedb.auth.passwords import hash_password
from nocodedb.db.schema import views
from nocodedb.services import audit, undo  # undo: actions recorded for the page's Ctrl+Z
from nocodedb.services.actor import Actor, Role, TableScope, table_scope
from nocodedb.services.metadata import load_fields
from views.filters import FilterContext, FilterType, condition_problem
from views.types import ViewOptionsError, ViewType, default_view_types

MAX_VIEWS_PER_TABLE = 200
MAX_NAME = 255
BASE_KEYS = {"name", "type", "public", "filter_type", "filters_disabled", "public_view_password"}


@lru_cache(maxsize=1)
def view_types() -> Registry[ViewType]:
    return default_view_types()


def new_slug() -> str:
    return secrets.token_urlsafe(24)


async def next_item_id(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT nextval('view_item_id_seq')"))).scalar_one())


async def load_view(
    conn: AsyncConnection, actor: Actor, view_id: int, minimum: Role, *, lock: bool = False
) -> tuple[Any, TableScope]:
    query = select(views).where(views.c.id == view_id)
    if lock:
        query = query.with_for_update()
    row = (await conn.execute(query)).one_or_none()
    if row is None:
        actor.require_user()
        raise errors.ViewNotFound()
    scope = await table_scope(conn, actor, row.table_id, minimum=minimum)
    return row, scope


def filter_json(
    view_id: int,
    item: dict[str, Any],
    table_fields: list[Field],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
) -> dict[str, Any]:
    by_id = {f.id: f for f in table_fields}
    ctx = FilterContext(field_types, filter_types, lambda ref: by_id.get(ref), None)  # type: ignore[arg-type]
    problem = condition_problem(item, ctx)
    return {
        "id": item["id"],
        "view": view_id,
        "field": item.get("field"),
        "type": item.get("type"),
        "value": item.get("value", ""),
        "group": item.get("group"),
        "preload_values": {},
        # A filter whose field is gone or no longer fits its type is kept but does nothing.
        "active": problem is None,
        "inactive_reason": problem,
    }


def view_json(
    row: Any,
    table_fields: list[Field],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    include: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    view_type = view_types().get(row.type)
    options = view_type.options_model.model_validate(row.options or {}).model_dump(mode="json")
    out: dict[str, Any] = {
        "id": row.id,
        "table_id": row.table_id,
        "name": row.name,
        "order": row.order,
        "type": row.type,
        "filter_type": row.filter_type,
        "filters_disabled": row.filters_disabled,
        "public": row.public,
        "slug": row.slug,
        "public_view_has_password": row.password_hash is not None,
        "can_filter": view_type.can_filter,
        "can_sort": view_type.can_sort,
        "can_group_by": view_type.can_group_by,
        **options,
    }
    if "filters" in include:
        out["filters"] = [filter_json(row.id, f, table_fields, field_types, filter_types) for f in row.filters or []]
        out["filter_groups"] = [{**g, "view": row.id} for g in row.filter_groups or []]
    if "sortings" in include:
        out["sortings"] = [{**s, "view": row.id} for s in row.sorts or []]
    if "group_bys" in include:
        out["group_bys"] = [{**g, "view": row.id} for g in row.group_bys or []]
    if "field_options" in include:
        out["field_options"] = view_type.field_options_for(table_fields, row.field_options or {})
    return out


def _name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise errors.RequestBodyInvalid({"name": [{"error": "A view needs a name.", "code": "required"}]})
    if len(raw.strip()) > MAX_NAME:
        raise errors.RequestBodyInvalid({"name": [{"error": f"At most {MAX_NAME} characters.", "code": "max_length"}]})
    return raw.strip()


def _options(view_type: ViewType, raw: dict[str, Any], fields: list[Field], field_types: Registry[FieldType]) -> Any:
    try:
        return view_type.validate_options(raw, fields, field_types)
    except ViewOptionsError as exc:
        raise errors.RequestBodyInvalid(exc.detail) from None


def _refuse_unknown(body: dict[str, Any], view_type: ViewType) -> None:
    known = BASE_KEYS | set(view_type.options_model.model_fields)
    unknown = sorted(str(k) for k in body if k not in known)
    if unknown:
        raise errors.RequestBodyInvalid(
            {k[:100]: [{"error": "Not an option of this view type.", "code": "unknown_field"}] for k in unknown[:20]}
        )


def _base_values(body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "filter_type" in body:
        if body["filter_type"] not in ("AND", "OR"):
            raise errors.RequestBodyInvalid({"filter_type": [{"error": "AND or OR.", "code": "invalid_choice"}]})
        values["filter_type"] = body["filter_type"]
    if "filters_disabled" in body:
        if not isinstance(body["filters_disabled"], bool):
            raise errors.RequestBodyInvalid({"filters_disabled": [{"error": "A boolean.", "code": "invalid"}]})
        values["filters_disabled"] = body["filters_disabled"]
    if "public" in body:
        if not isinstance(body["public"], bool):
            raise errors.RequestBodyInvalid({"public": [{"error": "A boolean.", "code": "invalid"}]})
        values["public"] = body["public"]
    if "public_view_password" in body:
        password = body["public_view_password"]
        if password in (None, ""):
            values["password_hash"] = None
        elif not isinstance(password, str) or not 8 <= len(password) <= 256:
            raise errors.RequestBodyInvalid(
                {"public_view_password": [{"error": "Between 8 and 256 characters.", "code": "invalid"}]}
            )
        else:
            values["password_hash"] = hash_password(password)
    return values


async def list_views(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    include: set[str],
) -> list[dict[str, Any]]:
    await table_scope(conn, actor, table_id, minimum="viewer")
    table_fields = await load_fields(conn, table_id)
    found = await conn.execute(select(views).where(views.c.table_id == table_id).order_by(views.c.order, views.c.id))
    return [view_json(r, table_fields, field_types, filter_types, include) for r in found]


async def get_view(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
    include: set[str],
) -> dict[str, Any]:
    row, _ = await load_view(conn, actor, view_id, "viewer")
    return view_json(row, await load_fields(conn, row.table_id), field_types, filter_types, include)


async def create_view(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    body: Any,
) -> dict[str, Any]:
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("A view must be a JSON object.")
    type_name = body.get("type")
    if not isinstance(type_name, str) or type_name not in view_types():
        choices = ", ".join(view_types().names())
        raise errors.RequestBodyInvalid({"type": [{"error": f"One of {choices}.", "code": "invalid_choice"}]})
    view_type = view_types().get(type_name)
    _refuse_unknown(body, view_type)
    name = _name(body.get("name"))
    table_fields = await load_fields(conn, table_id)
    options = _options(view_type, {k: v for k, v in body.items() if k not in BASE_KEYS}, table_fields, field_types)
    values = _base_values(body)
    count, order = (
        await conn.execute(
            select(func.count(), func.coalesce(func.max(views.c.order), 0) + 1).where(views.c.table_id == table_id)
        )
    ).one()
    if count >= MAX_VIEWS_PER_TABLE:
        raise errors.RequestBodyInvalid(f"A table may have at most {MAX_VIEWS_PER_TABLE} views.")
    field_options = {str(f.id): view_type.default_field_options(f) for f in table_fields}
    row = (
        await conn.execute(
            insert(views)
            .values(
                table_id=table_id,
                name=name,
                type=type_name,
                order=order,
                options=options,
                field_options=field_options,
                slug=new_slug(),
                created_by=actor.user_id,
                **values,
            )
            .returning(views)
        )
    ).one()
    await _audit_sharing(conn, actor, scope, row, False, values)
    await undo.view_created(conn, actor, scope, row.id)  # undo
    await events.view_event(conn, actor, "view.created", row, scope=scope)
    return view_json(row, table_fields, field_types, filter_types, {"filters", "sortings", "group_bys"})


async def _audit_sharing(
    conn: AsyncConnection, actor: Actor, scope: TableScope, row: Any, was_public: bool, values: dict[str, Any]
) -> None:
    """Audit entries when a view starts or stops being shared, or its password is set or removed."""
    where = {"user_id": actor.user_id, "workspace_id": scope.workspace_id, "ip": actor.ip}
    about = {"view_id": row.id, "table_id": row.table_id, "name": row.name}
    if "public" in values and values["public"] != was_public:
        await audit.record(conn, "view.shared" if values["public"] else "view.unshared", **where, **about)
    if "password_hash" in values:
        # Never the password itself, nor its hash: only that it changed.
        action = "view.password_set" if values["password_hash"] is not None else "view.password_removed"
        await audit.record(conn, action, **where, **about)


async def update_view(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
    body: Any,
) -> dict[str, Any]:
    row, scope = await load_view(conn, actor, view_id, "builder", lock=True)
    was_public = bool(row.public)
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("A view must be a JSON object.")
    view_type = view_types().get(row.type)
    _refuse_unknown(body, view_type)
    table_fields = await load_fields(conn, row.table_id)
    values = _base_values(body)
    if "name" in body:
        values["name"] = _name(body["name"])
    option_changes = {k: v for k, v in body.items() if k not in BASE_KEYS and k != "type"}
    if option_changes:
        values["options"] = _options(view_type, {**(row.options or {}), **option_changes}, table_fields, field_types)
    if values.get("public") and not view_type.can_share:
        raise errors.ViewFeatureNotSupported("This view type cannot be shared.")
    if values:
        await undo.view_changed(conn, actor, row, values)  # undo: row is still the view before the change
        row = (await conn.execute(update(views).where(views.c.id == view_id).values(**values).returning(views))).one()
        await _audit_sharing(conn, actor, scope, row, was_public, values)
        await events.view_event(conn, actor, "view.updated", row, scope=scope, changed=values)
    return view_json(row, table_fields, field_types, filter_types, {"filters", "sortings", "group_bys"})


async def rotate_slug(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
) -> dict[str, Any]:
    """A new public link; the old one stops working at once."""
    row, scope = await load_view(conn, actor, view_id, "builder", lock=True)
    row = (
        await conn.execute(update(views).where(views.c.id == view_id).values(slug=new_slug()).returning(views))
    ).one()
    await audit.record(
        conn, "view.link_rotated", user_id=actor.user_id, workspace_id=scope.workspace_id, ip=actor.ip, view_id=row.id
    )
    await events.view_event(conn, actor, "view.updated", row, scope=scope, changed=["slug"])
    return view_json(row, await load_fields(conn, row.table_id), field_types, filter_types)


async def delete_view(conn: AsyncConnection, actor: Actor, view_id: int) -> None:
    row, scope = await load_view(conn, actor, view_id, "builder", lock=True)
    from nocodedb.services.trash_structure import trash_view  # trash: the view is kept for restore

    await trash_view(conn, actor, row, scope)
    await conn.execute(delete(views).where(views.c.id == view_id))
    await undo.view_deleted(conn, actor, scope, view_id)  # undo
    await events.view_event(conn, actor, "view.deleted", row, scope=scope)


async def _renumbered(
    conn: AsyncConnection, items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[Any, Any]]:
    mapping: dict[Any, Any] = {}
    out = []
    for item in items:
        new_id = await next_item_id(conn)
        mapping[item["id"]] = new_id
        out.append({**item, "id": new_id})
    return out, mapping


async def duplicate_view(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    view_id: int,
) -> dict[str, Any]:
    row, scope = await load_view(conn, actor, view_id, "builder")
    groups, group_ids = await _renumbered(conn, list(row.filter_groups or []))
    groups = [{**g, "parent_group": group_ids.get(g.get("parent_group"))} for g in groups]
    filters, _ = await _renumbered(conn, list(row.filters or []))
    filters = [{**f, "group": group_ids.get(f.get("group"))} for f in filters]
    sorts, _ = await _renumbered(conn, list(row.sorts or []))
    group_bys, _ = await _renumbered(conn, list(row.group_bys or []))
    existing = set((await conn.execute(select(views.c.name).where(views.c.table_id == row.table_id))).scalars())
    n = 2
    while f"{row.name} {n}" in existing:
        n += 1
    await conn.execute(
        update(views).where(views.c.table_id == row.table_id, views.c.order > row.order).values(order=views.c.order + 1)
    )
    copy = (
        await conn.execute(
            insert(views)
            .values(
                table_id=row.table_id,
                name=f"{row.name} {n}"[:MAX_NAME],
                type=row.type,
                order=row.order + 1,
                filter_type=row.filter_type,
                filters=filters,
                filter_groups=groups,
                sorts=sorts,
                group_bys=group_bys,
                filters_disabled=row.filters_disabled,
                options=row.options,
                field_options=row.field_options,
                public=False,
                slug=new_slug(),
                password_hash=None,
                created_by=actor.user_id,
            )
            .returning(views)
        )
    ).one()
    await events.view_event(conn, actor, "view.created", copy, scope=scope)
    table_fields = await load_fields(conn, row.table_id)
    return view_json(copy, table_fields, field_types, filter_types, {"filters", "sortings", "group_bys"})


async def order_views(conn: AsyncConnection, actor: Actor, table_id: int, view_ids: Any) -> None:
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    if not isinstance(view_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in view_ids):
        raise errors.RequestBodyInvalid({"view_ids": [{"error": "A list of view ids.", "code": "invalid"}]})
    if len(set(view_ids)) != len(view_ids):
        raise errors.RequestBodyInvalid({"view_ids": [{"error": "A view appears twice.", "code": "invalid"}]})
    known = set((await conn.execute(select(views.c.id).where(views.c.table_id == table_id))).scalars())
    strangers = [i for i in view_ids if i not in known]
    if strangers:
        raise errors.ViewNotFound(f"The views {strangers} are not views of this table.")
    for position, view_id in enumerate(view_ids, start=1):
        moved = await conn.execute(
            update(views)
            .where(views.c.id == view_id, views.c.order != position)
            .values(order=position)
            .returning(views)
        )
        for row in moved:  # only views whose place really changed
            await events.view_event(conn, actor, "view.updated", row, scope=scope, changed=["order"])
