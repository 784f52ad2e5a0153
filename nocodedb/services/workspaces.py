"""Workspaces, their members and their databases (Baserow calls databases "applications")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors
from nocodedb.db.schema import databases, memberships, tables, users, workspaces
from nocodedb.services import audit
from nocodedb.services.actor import ROLES, Actor, database_scope, workspace_role


def workspace_json(row: Any, role: str) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "order": row.order, "permissions": role, "role": role}


async def list_workspaces(conn: AsyncConnection, actor: Actor) -> list[dict[str, Any]]:
    user_id = actor.require_user()
    found = await conn.execute(
        select(workspaces, memberships.c.role)
        .join(memberships, memberships.c.workspace_id == workspaces.c.id)
        .where(memberships.c.user_id == user_id)
        .order_by(workspaces.c.order, workspaces.c.id)
    )
    return [workspace_json(r, r.role) for r in found]


async def create_workspace(conn: AsyncConnection, actor: Actor, name: str) -> dict[str, Any]:
    user_id = actor.require_user()
    row = (await conn.execute(insert(workspaces).values(name=name).returning(workspaces))).one()
    await conn.execute(insert(memberships).values(workspace_id=row.id, user_id=user_id, role="admin"))
    await audit.record(conn, "workspace.created", user_id=user_id, workspace_id=row.id)
    return workspace_json(row, "admin")


async def update_workspace(conn: AsyncConnection, actor: Actor, workspace_id: int, name: str) -> dict[str, Any]:
    role = await workspace_role(conn, actor, workspace_id, "admin")
    row = (
        await conn.execute(
            update(workspaces).where(workspaces.c.id == workspace_id).values(name=name).returning(workspaces)
        )
    ).one()
    return workspace_json(row, role)


async def delete_workspace(conn: AsyncConnection, actor: Actor, workspace_id: int) -> None:
    await workspace_role(conn, actor, workspace_id, "admin")
    table_ids = (
        await conn.execute(
            select(tables.c.id)
            .join(databases, databases.c.id == tables.c.database_id)
            .where(databases.c.workspace_id == workspace_id)
        )
    ).scalars()
    from fields import default_field_types
    from nocodedb.services.tables import drop_table_storage
    from nocodedb.services.trash_purge import purge_workspace  # trash: its detached partitions go too

    for table_id in list(table_ids):
        await drop_table_storage(conn, table_id)
    await purge_workspace(conn, default_field_types(), workspace_id)
    await conn.execute(delete(workspaces).where(workspaces.c.id == workspace_id))
    await audit.record(conn, "workspace.deleted", user_id=actor.user_id, workspace_id=workspace_id)


async def list_members(conn: AsyncConnection, actor: Actor, workspace_id: int) -> list[dict[str, Any]]:
    await workspace_role(conn, actor, workspace_id, "viewer")
    found = await conn.execute(
        select(memberships.c.role, users.c.id, users.c.name, users.c.email)
        .join(users, users.c.id == memberships.c.user_id)
        .where(memberships.c.workspace_id == workspace_id)
        .order_by(users.c.id)
    )
    return [
        {"id": r.id, "user_id": r.id, "name": r.name, "email": r.email, "permissions": r.role, "role": r.role}
        for r in found
    ]


async def set_member_role(
    conn: AsyncConnection, actor: Actor, workspace_id: int, user_id: int, role: str
) -> dict[str, Any]:
    await workspace_role(conn, actor, workspace_id, "admin")
    if role not in ROLES:
        raise errors.RequestBodyInvalid({"role": [{"error": f"Unknown role {role!r}.", "code": "invalid"}]})
    previous = (
        await conn.execute(
            select(memberships.c.role).where(
                memberships.c.workspace_id == workspace_id, memberships.c.user_id == user_id
            )
        )
    ).scalar_one_or_none()
    changed = (
        await conn.execute(
            update(memberships)
            .where(memberships.c.workspace_id == workspace_id, memberships.c.user_id == user_id)
            .values(role=role)
            .returning(memberships.c.user_id)
        )
    ).scalar_one_or_none()
    if changed is None:
        raise errors.NotFound("This person is not a member of the workspace.")
    admins = (
        await conn.execute(
            select(func.count()).where(memberships.c.workspace_id == workspace_id, memberships.c.role == "admin")
        )
    ).scalar_one()
    if admins == 0:
        raise errors.APIError("A workspace keeps at least one admin.")
    await audit.record(
        conn,
        "member.role_changed",
        user_id=actor.user_id,
        workspace_id=workspace_id,
        ip=actor.ip,
        member=user_id,
        role=role,
        previous_role=previous,
    )
    return {"user_id": user_id, "role": role, "permissions": role}


async def add_member(conn: AsyncConnection, actor: Actor, workspace_id: int, email: str, role: str) -> dict[str, Any]:
    """Add an existing account to the workspace (invitations by link come with the web page)."""
    await workspace_role(conn, actor, workspace_id, "admin")
    if role not in ROLES:
        raise errors.RequestBodyInvalid({"role": [{"error": f"Unknown role {role!r}.", "code": "invalid"}]})
    user = (
        await conn.execute(select(users.c.id).where(func.lower(users.c.email) == email.strip().lower()))
    ).scalar_one_or_none()
    if user is None:
        raise errors.NotFound("No account uses this email address.")
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    await conn.execute(
        pg_insert(memberships)
        .values(workspace_id=workspace_id, user_id=user, role=role)
        .on_conflict_do_update(index_elements=["workspace_id", "user_id"], set_={"role": role})
    )
    await audit.record(conn, "member.added", user_id=actor.user_id, workspace_id=workspace_id, member=user, role=role)
    return {"user_id": user, "role": role, "permissions": role}


# --- databases ---------------------------------------------------------------------------------------


async def database_json(conn: AsyncConnection, row: Any) -> dict[str, Any]:
    found = await conn.execute(
        select(tables.c.id, tables.c.name, tables.c.order)
        .where(tables.c.database_id == row.id)
        .order_by(tables.c.order, tables.c.id)
    )
    return {
        "id": row.id,
        "name": row.name,
        "order": row.order,
        "type": "database",
        "workspace": {"id": row.workspace_id},
        "group": {"id": row.workspace_id},
        "tables": [{"id": t.id, "name": t.name, "order": t.order, "database_id": row.id} for t in found],
    }


async def list_databases(conn: AsyncConnection, actor: Actor, workspace_id: int) -> list[dict[str, Any]]:
    await workspace_role(conn, actor, workspace_id, "viewer")
    found = await conn.execute(
        select(databases).where(databases.c.workspace_id == workspace_id).order_by(databases.c.order, databases.c.id)
    )
    return [await database_json(conn, r) for r in found.all()]


async def create_database(conn: AsyncConnection, actor: Actor, workspace_id: int, name: str) -> dict[str, Any]:
    await workspace_role(conn, actor, workspace_id, "builder")
    order = (
        await conn.execute(
            select(func.coalesce(func.max(databases.c.order), 0) + 1).where(databases.c.workspace_id == workspace_id)
        )
    ).scalar_one()
    row = (
        await conn.execute(
            insert(databases).values(workspace_id=workspace_id, name=name, order=order).returning(databases)
        )
    ).one()
    return await database_json(conn, row)


async def get_database(conn: AsyncConnection, actor: Actor, database_id: int) -> dict[str, Any]:
    await database_scope(conn, actor, database_id, "viewer")
    row = (await conn.execute(select(databases).where(databases.c.id == database_id))).one()
    return await database_json(conn, row)


async def update_database(conn: AsyncConnection, actor: Actor, database_id: int, name: str) -> dict[str, Any]:
    await database_scope(conn, actor, database_id, "builder")
    row = (
        await conn.execute(
            update(databases).where(databases.c.id == database_id).values(name=name).returning(databases)
        )
    ).one()
    return await database_json(conn, row)


async def delete_database(conn: AsyncConnection, actor: Actor, database_id: int) -> None:
    await database_scope(conn, actor, database_id, "builder")
    from nocodedb.services.trash_tables import trash_database  # trash: partitions detached, restorable

    await trash_database(conn, actor, database_id)
