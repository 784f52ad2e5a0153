"""Deleting trash entries for good: emptying, one entry, the age limit, a deleted workspace.

An entry's rows and links go with it (foreign keys); what a structure entry keeps elsewhere (detached
partitions, autonumber sequences) is dropped first by trash_structure.drop_for_good.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import trash_entries
from nocodedb.services.actor import Actor, role_at_least, workspace_role
from nocodedb.services.trash import (
    ITEM_TYPES,
    TrashItemNotFound,
    entry_filters,
    ids_or_none,
    role_to_restore,
    trash_days,
)

PURGE_EVERY_SECONDS = 3600


async def _purge_entries(conn: AsyncConnection, field_types: Registry[FieldType], entries: list[Any]) -> int:
    """Delete entries for good: structure first drops what it keeps outside the trash tables."""
    from nocodedb.services import trash_structure

    done: set[int] = set()
    for e in sorted(entries, key=lambda x: ITEM_TYPES.index(x.item_type), reverse=True):
        if e.id in done:
            continue
        if e.item_type in ("table", "database"):
            # What was trashed inside a table or database goes with it.
            column = trash_entries.c.table_id if e.item_type == "table" else trash_entries.c.database_id
            inner = (
                await conn.execute(select(trash_entries).where(column == e.item_id, trash_entries.c.id != e.id))
            ).all()
            for i in inner:
                if i.id not in done:
                    await trash_structure.drop_for_good(conn, field_types, i)
                    done.add(i.id)
        await trash_structure.drop_for_good(conn, field_types, e)
        done.add(e.id)
    if done:
        await conn.execute(delete(trash_entries).where(trash_entries.c.id.in_(done)))
    return len(done)


async def empty(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    actor: Actor,
    workspace_id: int,
    *,
    application_id: int | None = None,
    table_id: int | None = None,
) -> int:
    role = await workspace_role(conn, actor, workspace_id, "editor")
    ids_or_none(application_id, table_id)
    found = (
        await conn.execute(
            select(trash_entries).where(*entry_filters(workspace_id, application_id, table_id)).with_for_update()
        )
    ).all()
    if any(not role_at_least(role, role_to_restore(e.item_type)) for e in found):
        raise errors.PermissionDenied("Only builders and admins can delete fields, views, tables and databases.")
    return await _purge_entries(conn, field_types, found)


async def delete_entry(conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, entry_id: int) -> None:
    actor.require_user()
    found = (
        await conn.execute(select(trash_entries).where(trash_entries.c.id == entry_id).with_for_update())
    ).one_or_none()
    if found is None:
        raise TrashItemNotFound()
    try:
        await workspace_role(conn, actor, found.workspace_id, role_to_restore(found.item_type))
    except errors.UserNotInWorkspace:
        raise TrashItemNotFound() from None
    await _purge_entries(conn, field_types, [found])


async def purge_expired(conn: AsyncConnection, field_types: Registry[FieldType], days: int | None = None) -> int:
    """Delete for good what has been in the trash longer than NOCODEDB_TRASH_DAYS; return how many."""
    days = trash_days() if days is None else days
    cutoff = func.now() - func.make_interval(0, 0, 0, days)
    found = (
        await conn.execute(
            select(trash_entries).where(trash_entries.c.trashed_at < cutoff).with_for_update(skip_locked=True)
        )
    ).all()
    return await _purge_entries(conn, field_types, found)


async def purge_workspace(conn: AsyncConnection, field_types: Registry[FieldType], workspace_id: int) -> None:
    """A workspace deleted for good takes its trash along (detached partitions included)."""
    found = (await conn.execute(select(trash_entries).where(trash_entries.c.workspace_id == workspace_id))).all()
    await _purge_entries(conn, field_types, found)


async def purge_once(engine: AsyncEngine, field_types: Registry[FieldType]) -> None:
    """The app's background purge (nocodedb/periodic.py runs it at start, then every PURGE_EVERY_SECONDS)."""
    async with engine.begin() as conn:
        await purge_expired(conn, field_types)
