"""Undo and redo of a user's recent actions, per browser tab (Baserow's /api/user/undo/ and /redo/).

A request that carries a `ClientSessionId` header (one per tab) has its writes recorded here, by a hook at
the end of each row, field and view service, in the write's own transaction: one `undo_actions` row per
service call, with what undo and redo need in `params`. The actions of one user action share a group: the
`ClientUndoRedoActionGroupId` header when the page sends one (a paste made of several requests), otherwise
the transaction (one request), so a request that writes twice is still undone at once.

Undo takes the session's newest action not undone within the given scopes, and the rest of its group, and
applies their inverses through the same services (so links, recomputes, events, history and the trash all
happen as for any write), with an actor that has no session: those writes record nothing. Redo re-applies
the group undone last. A new action deletes the session's undone actions: the redo chain ends there. An
inverse that fails (a row deleted for good, a role lost) writes nothing (savepoint), answers SKIPPED with
the reason and drops the group, so the next undo goes further back. See docs/undo.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import BigInteger, Text, and_, delete, false, func, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import databases, rows, tables, undo_actions
from nocodedb.services.actor import Actor, TableScope, valid_id
from views.filters import FilterType

CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# Per session, the newest actions kept; older ones are trimmed when a new one is recorded.
KEEP_PER_SESSION = 100
# Actions older than this cannot be undone and are purged hourly.
MAX_AGE = dt.timedelta(days=1)
PURGE_EVERY_SECONDS = 3600
# A type change on a larger table keeps no copy of the old values (undo converts them back as it can).
SNAPSHOT_MAX_ROWS = 100_000
# View columns an undo may write back (sharing and passwords are left alone: see docs/undo.md).
VIEW_COLUMNS = ("name", "filter_type", "filters_disabled", "options", "filters", "filter_groups", "sorts", "group_bys")

ClientSessionMissing = errors._error(
    "ClientSessionMissing",
    400,
    "ERROR_CLIENT_SESSION_ID_HEADER_NOT_SET",
    "Undo and redo need a ClientSessionId header: up to 64 letters, digits and dashes.",
)


def valid_client_id(value: str) -> bool:
    return CLIENT_ID.fullmatch(value) is not None


def recording(actor: Actor) -> bool:
    """Only a signed-in person's requests from a page (with a session) are recorded; scripts are not."""
    signed_in = actor.token is None and actor.kind == "user" and actor.user_id is not None
    return signed_in and actor.client_session is not None


def quiet(actor: Actor) -> Actor:
    """The actor undo and redo write as: the same person, no session, so nothing is recorded again."""
    return replace(actor, client_session=None, action_group=None)


# --- recording -----------------------------------------------------------------------------------------


async def record(
    conn: AsyncConnection,
    actor: Actor,
    action_type: str,
    params: dict[str, Any],
    *,
    table_id: int,
    scope: TableScope | None = None,
    view_id: int | None = None,
    values_of: Field | None = None,
) -> None:
    """One action, in the caller's transaction; clears the session's redo chain and trims old actions.

    values_of: also keep that field's stored value of every row (`params["values"]`, row id -> value),
    read by the INSERT itself so no row goes through Python.
    """
    if not recording(actor):
        return
    session = undo_actions.c.client_session_id == actor.client_session
    mine = and_(undo_actions.c.user_id == actor.user_id, session)
    oldest_kept = (
        select(undo_actions.c.id)
        .where(mine)
        .order_by(undo_actions.c.id.desc())
        .offset(KEEP_PER_SESSION - 1)
        .limit(1)
        .scalar_subquery()
    )
    cleared = (
        delete(undo_actions)
        .where(mine, or_(undo_actions.c.undone_at.is_not(None), undo_actions.c.id <= oldest_kept))
        .returning(undo_actions.c.id)
        .cte("cleared")
    )
    group: Any = (
        literal(actor.action_group, Text)
        if actor.action_group is not None
        else literal_column("'tx' || txid_current()::text", Text)
    )
    payload: Any = literal(params, JSONB)
    if values_of is not None:
        snapshot = (
            select(func.coalesce(func.jsonb_object_agg(rows.c.id, rows.c.data[values_of.key]), literal({}, JSONB)))
            .where(rows.c.table_id == values_of.table_id)
            .scalar_subquery()
        )
        payload = payload.op("||")(func.jsonb_build_object("values", snapshot))
    if scope is not None:
        database_id: Any = literal(scope.database_id, BigInteger)
        workspace_id: Any = literal(scope.workspace_id, BigInteger)
    else:
        database_id = select(tables.c.database_id).where(tables.c.id == table_id).scalar_subquery()
        workspace_id = (
            select(databases.c.workspace_id)
            .join(tables, tables.c.database_id == databases.c.id)
            .where(tables.c.id == table_id)
            .scalar_subquery()
        )
    source = select(
        literal(actor.user_id, BigInteger),
        literal(actor.client_session, Text),
        group,
        workspace_id,
        database_id,
        literal(table_id, BigInteger),
        literal(view_id, BigInteger),
        literal(action_type, Text),
        payload,
    )
    columns = [
        "user_id",
        "client_session_id",
        "action_group",
        "workspace_id",
        "database_id",
        "table_id",
        "view_id",
        "action_type",
        "params",
    ]
    await conn.execute(undo_actions.insert().from_select(columns, source).add_cte(cleared))


async def rows_created(conn: AsyncConnection, actor: Actor, scope: TableScope, ids: list[int]) -> None:
    if ids:
        await record(conn, actor, "create_rows", {"row_ids": ids}, table_id=scope.table_id, scope=scope)


async def rows_deleted(conn: AsyncConnection, actor: Actor, scope: TableScope, ids: list[int]) -> None:
    if ids:
        await record(conn, actor, "delete_rows", {"row_ids": ids}, table_id=scope.table_id, scope=scope)


async def rows_updated(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: Any,
    field_types: Registry[FieldType],
    before: list[Any],
    after: list[Any],
) -> None:
    """Before and after API values of the writable fields whose stored value changed, per row."""
    if not recording(actor):
        return
    old_by_id = {r.id: r for r in before}
    changes = []
    for record_after in after:
        old = old_by_id.get(record_after.id)
        if old is None:
            continue
        old_data, new_data = old.data or {}, record_after.data or {}
        was: dict[str, Any] = {}
        now: dict[str, Any] = {}
        for f in fieldset.fields:
            field_type = field_types.get(f.type)
            if field_type.read_only or old_data.get(f.key) == new_data.get(f.key):
                continue
            was[f"field_{f.id}"] = _api(f, field_type, old_data.get(f.key))
            now[f"field_{f.id}"] = _api(f, field_type, new_data.get(f.key))
        if was:
            changes.append({"id": record_after.id, "before": was, "after": now})
    if changes:
        params = {"rows": changes, "cells": sum(len(c["before"]) for c in changes)}
        await record(conn, actor, "update_rows", params, table_id=scope.table_id, scope=scope)


def _api(f: Field, field_type: FieldType, stored: Any) -> Any:
    return field_type.empty_api_value(f) if stored is None else field_type.to_api(f, stored)


def field_spec(f: Field) -> dict[str, Any]:
    """What update_field needs to give a field back this name, type and options."""
    return {**f.options, "name": f.name, "type": f.type, "description": f.description}


async def field_created(conn: AsyncConnection, actor: Actor, scope: TableScope, field_id: int) -> None:
    await record(conn, actor, "create_field", {"field_id": field_id}, table_id=scope.table_id, scope=scope)


async def field_deleted(conn: AsyncConnection, actor: Actor, scope: TableScope, field_id: int) -> None:
    await record(conn, actor, "delete_field", {"field_id": field_id}, table_id=scope.table_id, scope=scope)


async def field_updated(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    old: Field,
    new: Field,
    field_types: Registry[FieldType],
) -> None:
    """Called after the field's row is updated and before its values are converted: the old values of a
    plain stored field whose type or options change are kept, for undo to write them back."""
    if not recording(actor):
        return
    params = {"field_id": old.id, "before": field_spec(old), "after": field_spec(new)}
    old_type = field_types.get(old.type)
    keep_values = (
        (old.type != new.type or old.options != new.options)
        and old_type.stored_in_data
        and not old_type.read_only
        and not getattr(old_type, "writes_links", False)
        and await _row_count(conn, old.table_id) <= SNAPSHOT_MAX_ROWS
    )
    values_of = old if keep_values else None
    if values_of is not None:
        params["options"] = old.options  # exact ids: the stored values refer to them
    await record(conn, actor, "update_field", params, table_id=scope.table_id, scope=scope, values_of=values_of)


async def _row_count(conn: AsyncConnection, table_id: int) -> int:
    found = (await conn.execute(select(tables.c.row_count).where(tables.c.id == table_id))).scalar_one_or_none()
    return int(found or 0)


async def view_created(conn: AsyncConnection, actor: Actor, scope: TableScope, view_id: int) -> None:
    await record(conn, actor, "create_view", {"view_id": view_id}, table_id=scope.table_id, scope=scope)


async def view_deleted(conn: AsyncConnection, actor: Actor, scope: TableScope, view_id: int) -> None:
    await record(conn, actor, "delete_view", {"view_id": view_id}, table_id=scope.table_id, scope=scope)


async def view_changed(conn: AsyncConnection, actor: Actor, view: Any, values: dict[str, Any]) -> None:
    """A view's own columns (name, options, filters, sorts...) about to change from `view` to `values`."""
    if not recording(actor):
        return
    changed = [c for c in VIEW_COLUMNS if c in values and values[c] != getattr(view, c)]
    if changed:
        params = {
            "view_id": view.id,
            "before": {c: getattr(view, c) for c in changed},
            "after": {c: values[c] for c in changed},
        }
        await record(conn, actor, "update_view", params, table_id=view.table_id, view_id=view.id)


# --- undo and redo -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scopes:
    """Which actions the page may undo: Baserow's {"root", "workspace", "application", "table", "view"}."""

    table: int | None = None
    view: int | None = None
    application: int | None = None
    workspace: int | None = None

    @classmethod
    def parse(cls, raw: Any) -> Scopes:
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise errors.RequestBodyInvalid({"scopes": [{"error": "An object of scopes.", "code": "invalid"}]})
        found: dict[str, int | None] = {}
        for name in ("table", "view", "application", "workspace"):
            value = raw.get(name)
            if value is not None and not valid_id(value):
                raise errors.RequestBodyInvalid({f"scopes.{name}": [{"error": "An id.", "code": "invalid"}]})
            found[name] = value
        return cls(**found)

    def condition(self) -> Any:
        # Row and field actions belong to their table, a view's own changes to the view (Baserow's scopes).
        parts = []
        if self.table is not None:
            parts.append(and_(undo_actions.c.view_id.is_(None), undo_actions.c.table_id == self.table))
        if self.view is not None:
            parts.append(undo_actions.c.view_id == self.view)
        return or_(*parts) if parts else false()


@dataclass(frozen=True)
class Types:
    fields: Registry[FieldType]
    filters: Registry[FilterType]


def action_json(action: Any) -> dict[str, Any]:
    scope = f"view{action.view_id}" if action.view_id is not None else f"table{action.table_id}"
    params = action.params or {}
    count = params.get("cells") or len(params.get("row_ids") or ()) or 1
    return {"action_type": action.action_type, "action_scope": scope, "count": count}


def _session(actor: Actor) -> Any:
    user_id = actor.require_user()
    if actor.client_session is None:
        raise ClientSessionMissing()
    return and_(undo_actions.c.user_id == user_id, undo_actions.c.client_session_id == actor.client_session)


async def undo(conn: AsyncConnection, types: Types, actor: Actor, scopes: Scopes) -> dict[str, Any]:
    mine = _session(actor)
    young = undo_actions.c.created_at > func.now() - MAX_AGE
    latest = (
        await conn.execute(
            select(undo_actions)
            .where(mine, young, undo_actions.c.undone_at.is_(None), scopes.condition())
            .order_by(undo_actions.c.id.desc())
            .limit(1)
            .with_for_update()
        )
    ).one_or_none()
    if latest is None:
        return {"actions": [], "result_code": "NOTHING_TO_DO"}
    group = (
        await conn.execute(
            select(undo_actions)
            .where(mine, undo_actions.c.undone_at.is_(None), _same_group(latest))
            .order_by(undo_actions.c.id.desc())
            .with_for_update()
        )
    ).all()
    return await _apply(conn, types, actor, group, "undo")


async def redo(conn: AsyncConnection, types: Types, actor: Actor, scopes: Scopes) -> dict[str, Any]:
    mine = _session(actor)
    latest = (
        await conn.execute(
            select(undo_actions)
            .where(mine, undo_actions.c.undone_at.is_not(None), scopes.condition())
            .order_by(undo_actions.c.undone_at.desc(), undo_actions.c.id)
            .limit(1)
            .with_for_update()
        )
    ).one_or_none()
    if latest is None:
        return {"actions": [], "result_code": "NOTHING_TO_DO"}
    group = (
        await conn.execute(
            select(undo_actions)
            .where(mine, undo_actions.c.undone_at.is_not(None), _same_group(latest))
            .order_by(undo_actions.c.id)
            .with_for_update()
        )
    ).all()
    return await _apply(conn, types, actor, group, "redo")


def _same_group(action: Any) -> Any:
    if action.action_group is None:
        return undo_actions.c.id == action.id
    return undo_actions.c.action_group == action.action_group


async def _apply(conn: AsyncConnection, types: Types, actor: Actor, group: list[Any], direction: str) -> dict[str, Any]:
    from nocodedb.services import undo_actions as handlers

    ids = [a.id for a in group]
    listed = [action_json(a) for a in group]
    try:
        async with conn.begin_nested():  # all of the group or nothing
            for action in group:
                await handlers.apply(conn, types, quiet(actor), action, direction)
    except errors.APIError as exc:
        # It can never be applied: forgotten, so the next undo or redo reaches the actions beyond it.
        await conn.execute(delete(undo_actions).where(undo_actions.c.id.in_(ids)))
        detail = exc.detail if isinstance(exc.detail, str) else exc.message
        return {"actions": listed, "result_code": "SKIPPED", "error": exc.code, "detail": detail}
    undone_at = func.now() if direction == "undo" else None
    await conn.execute(update(undo_actions).where(undo_actions.c.id.in_(ids)).values(undone_at=undone_at))
    return {"actions": listed, "result_code": "SUCCESS"}


# --- retention -----------------------------------------------------------------------------------------


async def purge(conn: AsyncConnection) -> int:
    removed = await conn.execute(delete(undo_actions).where(undo_actions.c.created_at < func.now() - MAX_AGE))
    return int(removed.rowcount or 0)


async def purge_once(engine: AsyncEngine) -> None:
    """Actions older than a day (nocodedb/periodic.py runs it every PURGE_EVERY_SECONDS)."""
    async with engine.begin() as conn:
        await purge(conn)
