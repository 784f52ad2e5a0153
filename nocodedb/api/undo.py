"""Undo and redo, in Baserow's paths: POST /api/user/undo/ and /api/user/redo/ with the tab's ClientSessionId."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, read_model, transaction
from nocodedb.api.routing import Routes
from nocodedb.services import undo

routes = Routes()


class UndoRedo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # {"root": true, "workspace": id, "application": id, "table": id, "view": id}; checked by undo.Scopes.
    scopes: dict[str, Any] | None = None


def _types(request: Request) -> undo.Types:
    return undo.Types(ctx_of(request).field_types, ctx_of(request).filter_types)


@routes.add("/api/user/undo/", ["POST"], "Undo this tab's (ClientSessionId) latest action in the scopes", body=UndoRedo)
async def undo_latest(request: Request) -> Response:
    body = await read_model(request, UndoRedo)
    scopes = undo.Scopes.parse(body.scopes)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await undo.undo(conn, _types(request), actor, scopes)
    return JSONResponse(result)


@routes.add("/api/user/redo/", ["POST"], "Redo this tab's (ClientSessionId) latest undone action", body=UndoRedo)
async def redo_latest(request: Request) -> Response:
    body = await read_model(request, UndoRedo)
    scopes = undo.Scopes.parse(body.scopes)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await undo.redo(conn, _types(request), actor, scopes)
    return JSONResponse(result)
