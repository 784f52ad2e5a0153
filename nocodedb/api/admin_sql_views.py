"""Readable SQL views for BI tools (docs/bi-tools.md): make or refresh them, list them. Instance staff only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, transaction
from nocodedb.api.routing import Routes
from nocodedb.services import sql_views

routes = Routes()


@routes.add(
    "/api/admin/sql-views/",
    ["POST"],
    "Make or refresh the read-only SQL views and the reader role (the generated password is shown once)",
)
async def refresh(request: Request) -> Response:
    # The settings are read per request: the schema and role names are the operator's, from the environment.
    config = sql_views.SqlViewsConfig.from_env()
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await sql_views.refresh_sql_views(conn, ctx_of(request).field_types, config, actor)
    return JSONResponse(result)


@routes.add("/api/admin/sql-views/", ["GET"], "The read-only SQL views that exist and the reader role's name")
async def list_views(request: Request) -> Response:
    config = sql_views.SqlViewsConfig.from_env()
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await sql_views.list_sql_views(conn, config, actor))
