"""Polling a job (large imports): state, progress 0-100, result or error."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb import jobs
from nocodedb.api.http import JSONResponse, actor_for, path_int, transaction
from nocodedb.api.routing import Routes

routes = Routes()


@routes.add("/api/jobs/{job_id:int}/", ["GET"], "One of your jobs: state, progress_percentage, result, error")
async def get_job(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await jobs.get_job(conn, actor, path_int(request, "job_id")))
