"""Audit entries: sign-ins, failed sign-ins, tokens, role changes... written in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb.db.schema import audit_log


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
