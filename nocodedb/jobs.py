"""Jobs: long work (large imports) run in-process as an asyncio task, with progress others can poll.

A job row is made in the request's transaction; the work runs in its own transaction (all or nothing),
while progress is written through separate short transactions so that pollers see it move. The task lives
in this process only: a restart while a job runs leaves it 'running' (see docs/import-export.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nocodedb import errors
from nocodedb.db.schema import jobs
from nocodedb.services.actor import Actor

log = logging.getLogger(__name__)
_running: set[asyncio.Task[None]] = set()

Progress = Callable[[int], Awaitable[None]]
Work = Callable[[AsyncConnection, Progress], Awaitable[dict[str, Any]]]


def job_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.kind,
        "state": row.state,
        "progress_percentage": row.progress,
        "result": row.result,
        "error": row.error,
    }


async def create_job(conn: AsyncConnection, actor: Actor, kind: str) -> int:
    return int(
        (
            await conn.execute(
                insert(jobs)
                .values(user_id=actor.require_user(), kind=kind, state="pending", progress=0)
                .returning(jobs.c.id)
            )
        ).scalar_one()
    )


async def get_job(conn: AsyncConnection, actor: Actor, job_id: int) -> dict[str, Any]:
    row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one_or_none()
    # Someone else's job answers like a missing one: nothing leaks.
    if row is None or row.user_id != actor.require_user():
        raise errors.JobNotFound()
    return job_json(row)


async def _set(engine: AsyncEngine, job_id: int, **values: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(jobs).where(jobs.c.id == job_id).values(updated_at=func.now(), **values))


async def run(engine: AsyncEngine, job_id: int, work: Work) -> None:
    """Run the work in one transaction; record progress, then the result or the error."""
    last = -1

    async def progress(percent: int) -> None:
        nonlocal last
        percent = max(0, min(99, int(percent)))
        if percent != last:
            last = percent
            await _set(engine, job_id, progress=percent)

    await _set(engine, job_id, state="running")
    try:
        async with engine.begin() as conn:
            result = await work(conn, progress)
    except errors.APIError as exc:
        await _set(engine, job_id, state="failed", error=exc.body())
        return
    except Exception:
        log.exception("job %s failed", job_id)
        await _set(engine, job_id, state="failed", error={"error": "ERROR_SERVER", "detail": "The job failed."})
        return
    await _set(engine, job_id, state="finished", progress=100, result=result)


def start(engine: AsyncEngine, job_id: int, work: Work) -> asyncio.Task[None]:
    """Start the job as a task of this process (kept referenced until it ends)."""
    task = asyncio.get_running_loop().create_task(run(engine, job_id, work))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def wait_all() -> None:
    """For shutdown and tests: wait until every running job ended."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
