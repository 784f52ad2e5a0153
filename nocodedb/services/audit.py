"""Audit entries: sign-ins, failed sign-ins, tokens, role changes... written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors
from nocodedb.db.schema import audit_log, users
from nocodedb.services.actor import Actor, workspace_role


async def record(
    conn: AsyncConnection,
    action: str,
    *,
    user_id: int | None = None,
    workspace_id: int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> None:
    await conn.execute(
        insert(audit_log).values(action=action, user_id=user_id, workspace_id=workspace_id, ip=ip, detail=detail)
    )


async def count_recent(conn: AsyncConnection, action: str, seconds: int, **match: Any) -> int:
    query = select(func.count()).where(
        audit_log.c.action == action,
        audit_log.c.created_at > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, seconds),
    )
    for key, value in match.items():
        query = query.where(audit_log.c.detail[key].astext == str(value))
    return int((await conn.execute(query)).scalar_one())


# --- reading (workspace admins, and the instance's staff for every workspace) -----------------------------


@dataclass(frozen=True)
class AuditQuery:
    page: int = 1
    size: int = 100
    action: str | None = None
    user_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


async def _entries(conn: AsyncConnection, where: list[Any], query: AuditQuery) -> tuple[int, list[dict[str, Any]]]:
    if query.action:
        where.append(audit_log.c.action == query.action)
    if query.user_id is not None:
        where.append(audit_log.c.user_id == query.user_id)
    if query.since is not None:
        where.append(audit_log.c.created_at >= query.since)
    if query.until is not None:
        where.append(audit_log.c.created_at < query.until)
    count = (await conn.execute(select(func.count()).select_from(audit_log).where(*where))).scalar_one()
    found = await conn.execute(
        select(audit_log, users.c.email, users.c.name)
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .where(*where)
        .order_by(audit_log.c.id.desc())
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    )
    results = [
        {
            "id": e.id,
            "action": e.action,
            # A deleted account keeps its id, without a name.
            "user": {"id": e.user_id, "email": e.email, "name": e.name} if e.user_id is not None else None,
            "workspace_id": e.workspace_id,
            "ip": e.ip,
            "created_at": e.created_at.isoformat(),
            "detail": e.detail,
        }
        for e in found
    ]
    return int(count), results


async def workspace_entries(
    conn: AsyncConnection, actor: Actor, workspace_id: int, query: AuditQuery
) -> tuple[int, list[dict[str, Any]]]:
    await workspace_role(conn, actor, workspace_id, "admin")
    return await _entries(conn, [audit_log.c.workspace_id == workspace_id], query)


async def instance_entries(conn: AsyncConnection, actor: Actor, query: AuditQuery) -> tuple[int, list[dict[str, Any]]]:
    """Every entry, sign-ins and failed sign-ins included: for the instance's staff (its first account)."""
    user_id = actor.require_user()
    staff = (await conn.execute(select(users.c.is_staff).where(users.c.id == user_id))).scalar_one_or_none()
    if not staff:
        raise errors.PermissionDenied("Only the instance's staff can read the instance's audit log.")
    return await _entries(conn, [], query)
