"""The trash: entries, listing, restoring, emptying and the purge of old entries.

What a deletion keeps is written by trash_rows.py (rows and their links, moved with INSERT ... SELECT) and
trash_structure.py (fields, views, tables, databases: metadata snapshots in `payload`, values and links in
trashed_rows / trashed_links, and a detached partition per table). See docs/trash.md.
"""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.sqltypes import DateTime, Numeric

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import databases, memberships, tables, trash_entries, workspaces
from nocodedb.services.actor import Actor, Role, valid_id, workspace_role
from views.filters import FilterType

PAGE_SIZE = 100
# Rows named in an entry of a batch delete: enough to recognise it, not a copy of the batch.
MAX_NAMES = 100
ITEM_TYPES = ("row", "field", "view", "table", "database")
# Baserow calls a database an "application"; both words are understood, Baserow's is answered.
API_TYPE = {"database": "application"}
FROM_API_TYPE = {"application": "database"}


def _error(name: str, status: int, code: str, message: str) -> type[errors.APIError]:
    return type(name, (errors.APIError,), {"status": status, "code": code, "message": message})


TrashItemNotFound = _error(
    "TrashItemNotFound", 404, "ERROR_TRASH_ITEM_DOES_NOT_EXIST", "This item is not in the trash."
)
ParentTrashed = _error(
    "ParentTrashed",
    400,
    "ERROR_CANNOT_RESTORE_PARENT_BEFORE_CHILD",
    "This item belongs to something that is itself in the trash: restore that first.",
)
CannotRestore = _error(
    "CannotRestore", 400, "ERROR_CANT_RESTORE_AS_RELATED_TABLE_TRASHED", "This item cannot be restored."
)


def trash_days() -> int:
    raw = os.environ.get("NOCODEDB_TRASH_DAYS", "")
    return int(raw) if raw.isdigit() else 30


def role_to_restore(item_type: str) -> Role:
    """The role that may delete the item: restoring and emptying need the same."""
    return "editor" if item_type == "row" else "builder"


# --- snapshots of metadata rows, kept as JSON in payload --------------------------------------------


def to_json(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in table.columns:
        value = getattr(row, c.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[str(c.name)] = value  # a plain str: orjson refuses SQLAlchemy's quoted_name keys
    return out


def from_json(table: Table, item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in table.columns:
        if c.name not in item:
            continue  # a column added since the snapshot takes its default
        value = item[c.name]
        if value is not None and isinstance(c.type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(c.type, Numeric):
            value = Decimal(value)
        out[c.name] = value
    return out


async def snapshot(conn: AsyncConnection, table: Table, *where: Any) -> list[dict[str, Any]]:
    found = await conn.execute(select(table).where(*where).order_by(*table.primary_key.columns))
    return [to_json(table, r) for r in found]


async def reinsert(conn: AsyncConnection, table: Table, items: list[dict[str, Any]]) -> None:
    """Put snapshotted rows back with their ids (which their sequences handed out once, never again)."""
    if items:
        await conn.execute(insert(table), [from_json(table, i) for i in items])


# --- entries -------------------------------------------------------------------------------------------


async def new_entry(
    conn: AsyncConnection,
    user_id: int | None,
    *,
    workspace_id: int,
    database_id: int,
    table_id: int | None,
    item_type: str,
    item_id: int,
    parent_id: int | None,
    name: str,
    names: list[str] | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    entry_id = (
        await conn.execute(
            insert(trash_entries)
            .values(
                workspace_id=workspace_id,
                database_id=database_id,
                table_id=table_id,
                item_type=item_type,
                item_id=item_id,
                parent_id=parent_id,
                name=name[:255],
                names=names or [],
                user_id=user_id,
                payload=payload or {},
            )
            .returning(trash_entries.c.id)
        )
    ).scalar_one()
    return int(entry_id)


async def set_payload(conn: AsyncConnection, entry_id: int, payload: dict[str, Any]) -> None:
    await conn.execute(update(trash_entries).where(trash_entries.c.id == entry_id).values(payload=payload))


def entry_filters(workspace_id: int, application_id: int | None, table_id: int | None) -> list[Any]:
    where = [trash_entries.c.workspace_id == workspace_id]
    if application_id is not None:
        where.append(trash_entries.c.database_id == application_id)
    if table_id is not None:
        where.append(trash_entries.c.table_id == table_id)
    return where


def ids_or_none(*values: int | None) -> None:
    for value in values:
        if value is not None and not valid_id(value):
            raise errors.QueryInvalid("Ids are positive whole numbers.")


async def _parent_names(conn: AsyncConnection, entries: list[Any]) -> dict[tuple[str, int], str]:
    """Names of the tables, databases and workspaces entries belong to (those still there)."""
    names: dict[tuple[str, int], str] = {}
    table_ids = {e.table_id for e in entries if e.table_id is not None}
    if table_ids:
        for r in await conn.execute(select(tables.c.id, tables.c.name).where(tables.c.id.in_(table_ids))):
            names[("table", r.id)] = r.name
    db_ids = {e.database_id for e in entries}
    if db_ids:
        for r in await conn.execute(select(databases.c.id, databases.c.name).where(databases.c.id.in_(db_ids))):
            names[("database", r.id)] = r.name
    ws_ids = {e.workspace_id for e in entries}
    for r in await conn.execute(select(workspaces.c.id, workspaces.c.name).where(workspaces.c.id.in_(ws_ids))):
        names[("workspace", r.id)] = r.name
    return names


def entry_json(e: Any, names: dict[tuple[str, int], str]) -> dict[str, Any]:
    if e.item_type in ("row", "field", "view"):
        parent_name = names.get(("table", e.table_id))
    elif e.item_type == "table":
        parent_name = names.get(("database", e.database_id))
    else:
        parent_name = names.get(("workspace", e.workspace_id))
    return {
        "id": e.id,
        "user_who_trashed": e.user_name,
        "trash_item_type": API_TYPE.get(e.item_type, e.item_type),
        "trash_item_id": e.item_id,
        "parent_trash_item_id": e.parent_id,
        "trashed_at": e.trashed_at.isoformat(),
        "application": e.database_id,
        "workspace": e.workspace_id,
        "table": e.table_id,
        "name": e.name,
        "names": e.names,
        "parent_name": parent_name,
    }


async def list_entries(
    conn: AsyncConnection,
    actor: Actor,
    workspace_id: int,
    *,
    application_id: int | None = None,
    table_id: int | None = None,
    page: int = 1,
) -> dict[str, Any]:
    await workspace_role(conn, actor, workspace_id, "viewer")
    ids_or_none(application_id, table_id)
    from nocodedb.db.schema import users

    where = entry_filters(workspace_id, application_id, table_id)
    count = (await conn.execute(select(func.count()).select_from(trash_entries).where(*where))).scalar_one()
    if page > 1 and (page - 1) * PAGE_SIZE >= count:
        raise errors.PageInvalid()
    found = (
        await conn.execute(
            select(trash_entries, users.c.name.label("user_name"))
            .outerjoin(users, users.c.id == trash_entries.c.user_id)
            .where(*where)
            .order_by(trash_entries.c.trashed_at.desc(), trash_entries.c.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    ).all()
    names = await _parent_names(conn, found)
    return {
        "count": count,
        "next": page + 1 if page * PAGE_SIZE < count else None,
        "previous": page - 1 if page > 1 else None,
        "results": [entry_json(e, names) for e in found],
    }


async def structure(conn: AsyncConnection, actor: Actor) -> dict[str, Any]:
    """The workspaces the user belongs to, their databases (trashed ones too) and tables, with counts."""
    user_id = actor.require_user()
    spaces = (
        await conn.execute(
            select(workspaces.c.id, workspaces.c.name)
            .join(memberships, memberships.c.workspace_id == workspaces.c.id)
            .where(memberships.c.user_id == user_id)
            .order_by(workspaces.c.order, workspaces.c.id)
        )
    ).all()
    ws_ids = [w.id for w in spaces]
    entries = (
        await conn.execute(
            select(
                trash_entries.c.workspace_id,
                trash_entries.c.database_id,
                trash_entries.c.table_id,
                trash_entries.c.item_type,
                trash_entries.c.item_id,
                trash_entries.c.name,
            ).where(trash_entries.c.workspace_id.in_(ws_ids))
        )
    ).all()
    live_dbs = (
        await conn.execute(
            select(databases.c.id, databases.c.name, databases.c.workspace_id)
            .where(databases.c.workspace_id.in_(ws_ids))
            .order_by(databases.c.order, databases.c.id)
        )
    ).all()
    live_tables = (
        await conn.execute(
            select(tables.c.id, tables.c.name, tables.c.database_id)
            .where(tables.c.database_id.in_([d.id for d in live_dbs]))
            .order_by(tables.c.order, tables.c.id)
        )
    ).all()
    out = []
    for w in spaces:
        mine = [e for e in entries if e.workspace_id == w.id]
        apps = [(d.id, d.name, False) for d in live_dbs if d.workspace_id == w.id]
        apps += [(e.item_id, e.name, True) for e in mine if e.item_type == "database"]
        applications = []
        for db_id, db_name, trashed in apps:
            db_tables = [(t.id, t.name, False) for t in live_tables if t.database_id == db_id]
            db_tables += [(e.item_id, e.name, True) for e in mine if e.item_type == "table" and e.database_id == db_id]
            applications.append(
                {
                    "id": db_id,
                    "name": db_name,
                    "trashed": trashed,
                    "trash_count": sum(1 for e in mine if e.database_id == db_id),
                    "tables": [
                        {
                            "id": t_id,
                            "name": t_name,
                            "trashed": t_trashed,
                            "trash_count": sum(1 for e in mine if e.table_id == t_id),
                        }
                        for t_id, t_name, t_trashed in db_tables
                    ],
                }
            )
        out.append(
            {"id": w.id, "name": w.name, "trashed": False, "trash_count": len(mine), "applications": applications}
        )
    return {"workspaces": out}


# --- restore -------------------------------------------------------------------------------------------


async def find_entry(conn: AsyncConnection, item_type: str, item_id: Any, parent_id: Any) -> Any:
    item_type = FROM_API_TYPE.get(item_type, item_type)
    if item_type not in ITEM_TYPES:
        raise errors.RequestBodyInvalid(
            {"trash_item_type": [{"error": f"Unknown trash item type {item_type!r}.", "code": "invalid_choice"}]}
        )
    if not valid_id(item_id) or (parent_id is not None and not valid_id(parent_id)):
        raise TrashItemNotFound()
    where = [trash_entries.c.item_type == item_type, trash_entries.c.item_id == item_id]
    if parent_id is not None and item_type != "database":
        where.append(trash_entries.c.parent_id == parent_id)
    # Row entries of a batch are found by any of their rows, the way Baserow restores one "rows" item.
    found = (await conn.execute(select(trash_entries).where(*where).with_for_update().limit(1))).one_or_none()
    if found is None and item_type == "row":
        from nocodedb.services.trash_rows import entry_holding_row

        found = await entry_holding_row(conn, item_id, parent_id)
    if found is None:
        raise TrashItemNotFound()
    return found


async def restore(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    item_type: Any,
    item_id: Any,
    parent_id: Any = None,
) -> None:
    actor.require_user()
    if not isinstance(item_type, str):
        raise errors.RequestBodyInvalid({"trash_item_type": [{"error": "A type is required.", "code": "required"}]})
    entry = await find_entry(conn, item_type, item_id, parent_id)
    try:
        await workspace_role(conn, actor, entry.workspace_id, role_to_restore(entry.item_type))
    except errors.UserNotInWorkspace:
        # A stranger learns nothing about another workspace's trash.
        raise TrashItemNotFound() from None
    from nocodedb.services import trash_rows, trash_structure

    if entry.item_type == "row":
        await trash_rows.restore_rows(conn, field_types, filter_types, actor, entry)
    else:
        await trash_structure.restore(conn, field_types, filter_types, actor, entry)
    await conn.execute(delete(trash_entries).where(trash_entries.c.id == entry.id))
