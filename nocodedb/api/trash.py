"""The trash, in Baserow's paths: structure, a workspace's entries, emptying, restoring."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, query_int, read_model, transaction
from nocodedb.api.routing import Routes
from nocodedb.services import trash, trash_purge

routes = Routes()


class TrashRestore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trash_item_type: str
    trash_item_id: int
    parent_trash_item_id: int | None = None


def _optional_id(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= 2**63 - 1:
        raise errors.QueryInvalid({name: [{"error": "A positive whole number is required.", "code": "invalid"}]})
    return int(raw)


@routes.add("/api/trash/", ["GET"], "Workspaces, databases and tables the user may inspect the trash of")
async def structure(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await trash.structure(conn, actor))


@routes.add(
    "/api/trash/workspace/{workspace_id:int}/",
    ["GET"],
    "Trash entries of a workspace (optionally of one application_id / table_id), 100 per page",
)
async def contents(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result: dict[str, Any] = await trash.list_entries(
            conn,
            actor,
            path_int(request, "workspace_id"),
            application_id=_optional_id(request, "application_id"),
            table_id=_optional_id(request, "table_id"),
            page=query_int(request, "page", 1),
        )
    return JSONResponse(result)


@routes.add(
    "/api/trash/workspace/{workspace_id:int}/",
    ["DELETE"],
    "Empty the trash of a workspace (or of one application_id / table_id): deleted for good",
)
async def empty(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await trash_purge.empty(
            conn,
            ctx_of(request).field_types,
            actor,
            path_int(request, "workspace_id"),
            application_id=_optional_id(request, "application_id"),
            table_id=_optional_id(request, "table_id"),
        )
    return Response(status_code=204)


@routes.add("/api/trash/entry/{entry_id:int}/", ["DELETE"], "Delete one trash entry for good")
async def delete_entry(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await trash_purge.delete_entry(conn, ctx_of(request).field_types, actor, path_int(request, "entry_id"))
    return Response(status_code=204)


@routes.add("/api/trash/restore/", ["PATCH"], "Restore a trashed item", body=TrashRestore)
async def restore(request: Request) -> Response:
    body = await read_model(request, TrashRestore)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await trash.restore(
            conn,
            ctx_of(request).field_types,
            ctx_of(request).filter_types,
            actor,
            body.trash_item_type,
            body.trash_item_id,
            body.parent_trash_item_id,
        )
    return Response(status_code=204)
