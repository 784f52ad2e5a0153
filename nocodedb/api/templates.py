"""Templates: the JSON Schema, export a database, install into a workspace (one transaction)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, query_bool, transaction
from nocodedb.api.routing import Routes
from nocodedb.templates.export import export_database
from nocodedb.templates.install import install_template
from nocodedb.templates.models import json_schema

routes = Routes()


@routes.add("/api/templates/schema.json", ["GET"], "The JSON Schema of a template document", auth="public")
async def schema(request: Request) -> Response:
    return JSONResponse(json_schema())


@routes.add("/api/templates/export/database/{database_id:int}/", ["GET"], "A database as a template (?rows=)")
async def export(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        actor.require_user()
        result = await export_database(
            conn, ctx_of(request).field_types, actor, path_int(request, "database_id"), query_bool(request, "rows")
        )
    return JSONResponse(result)


@routes.add(
    "/api/templates/install/workspace/{workspace_id:int}/",
    ["POST"],
    "Install a template as a new database of the workspace: all or nothing",
)
async def install(request: Request) -> Response:
    ctx = ctx_of(request)
    limit = ctx.settings.max_template_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise errors.BodyTooLarge(f"A template may have at most {limit} bytes.")
    try:
        raw = orjson.loads(bytes(body))
    except orjson.JSONDecodeError as exc:
        raise errors.TemplateInvalid(f"The template is not valid JSON: {exc.msg}.") from None
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await install_template(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "workspace_id"), raw
        )
    return JSONResponse(result)
