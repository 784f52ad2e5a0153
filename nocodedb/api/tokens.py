"""Database tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, path_int, read_model, transaction
from nocodedb.api.models import CreateToken, UpdateToken
from nocodedb.api.routing import Routes
from nocodedb.services import tokens

routes = Routes()


@routes.add("/api/database/tokens/", ["GET"], "Database tokens of the current user")
async def list_tokens(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tokens.list_tokens(conn, actor))


@routes.add("/api/database/tokens/", ["POST"], "Create a database token (the key is shown once)", body=CreateToken)
async def create_token(request: Request) -> Response:
    body = await read_model(request, CreateToken)
    workspace_id = body.workspace if body.workspace is not None else body.group
    if workspace_id is None:
        raise errors.RequestBodyInvalid({"workspace": [{"error": "This field is required.", "code": "required"}]})
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tokens.create_token(conn, actor, workspace_id, body.name))


@routes.add("/api/database/tokens/{token_id:int}/", ["GET"], "One database token")
async def get_token(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tokens.get_token(conn, actor, path_int(request, "token_id")))


@routes.add(
    "/api/database/tokens/{token_id:int}/", ["PATCH"], "Rename a token or set its permissions", body=UpdateToken
)
async def update_token(request: Request) -> Response:
    body = await read_model(request, UpdateToken)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(
            await tokens.update_token(conn, actor, path_int(request, "token_id"), body.model_dump(exclude_unset=True))
        )


@routes.add("/api/database/tokens/{token_id:int}/", ["DELETE"], "Revoke a database token")
async def delete_token(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await tokens.delete_token(conn, actor, path_int(request, "token_id"))
    return Response(status_code=204)
