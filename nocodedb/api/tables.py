"""Tables of a database, and fields of a table."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, read_model, transaction
from nocodedb.api.models import CreateTable, FieldPatch, FieldSpec, NameOnly
from nocodedb.api.routing import Routes
from nocodedb.services import fields, tables

routes = Routes()


@routes.add("/api/database/tables/database/{database_id:int}/", ["GET"], "Tables of a database")
async def list_tables(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tables.list_tables(conn, actor, path_int(request, "database_id")))


@routes.add(
    "/api/database/tables/database/{database_id:int}/",
    ["POST"],
    "Create a table, empty (with example fields) or from a 2-D array of cells",
    body=CreateTable,
)
async def create_table(request: Request) -> Response:
    body = await read_model(request, CreateTable)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await tables.create_table(
            conn,
            ctx_of(request).field_types,
            actor,
            path_int(request, "database_id"),
            body.name,
            body.data,
            body.first_row_header,
        )
    return JSONResponse(result)


@routes.add("/api/database/tables/{table_id:int}/", ["GET"], "One table")
async def get_table(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tables.get_table(conn, actor, path_int(request, "table_id")))


@routes.add("/api/database/tables/{table_id:int}/", ["PATCH"], "Rename a table", body=NameOnly)
async def update_table(request: Request) -> Response:
    body = await read_model(request, NameOnly)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await tables.update_table(conn, actor, path_int(request, "table_id"), body.name))


@routes.add("/api/database/tables/{table_id:int}/", ["DELETE"], "Delete a table and its rows")
async def delete_table(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await tables.delete_table(conn, actor, path_int(request, "table_id"))
    return Response(status_code=204)


@routes.add("/api/database/fields/table/{table_id:int}/", ["GET"], "Fields of a table", auth="token")
async def list_fields(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        return JSONResponse(
            await fields.list_fields(conn, ctx_of(request).field_types, actor, path_int(request, "table_id"))
        )


@routes.add("/api/database/fields/table/{table_id:int}/", ["POST"], "Create a field", body=FieldSpec)
async def create_field(request: Request) -> Response:
    body = await read_model(request, FieldSpec)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await fields.create_field(
            conn,
            ctx_of(request).field_types,
            actor,
            path_int(request, "table_id"),
            body.model_dump(),
            ctx_of(request).filter_types,
        )
    return JSONResponse(result)


@routes.add("/api/database/fields/{field_id:int}/", ["GET"], "One field", auth="token")
async def get_field(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        return JSONResponse(
            await fields.get_field(conn, ctx_of(request).field_types, actor, path_int(request, "field_id"))
        )


@routes.add(
    "/api/database/fields/{field_id:int}/",
    ["PATCH"],
    "Update a field: rename, options, or type (values are converted; lost_values counts those emptied)",
    body=FieldPatch,
)
async def update_field(request: Request) -> Response:
    body = await read_model(request, FieldPatch)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        changes = body.model_dump(exclude_unset=True)
        result = await fields.update_field(
            conn,
            ctx_of(request).field_types,
            actor,
            path_int(request, "field_id"),
            changes,
            ctx_of(request).filter_types,
        )
    if "type" in changes:
        ctx_of(request).indexes.forget_fields([path_int(request, "field_id")])
    return JSONResponse(result)


@routes.add("/api/database/fields/{field_id:int}/", ["DELETE"], "Delete a field (not the primary one)")
async def delete_field(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        removed = await fields.delete_field(
            conn, ctx_of(request).field_types, actor, path_int(request, "field_id"), ctx_of(request).filter_types
        )
    ctx_of(request).indexes.forget_fields([path_int(request, "field_id"), *removed])
    return JSONResponse({"related_fields": [{"id": i} for i in removed]})
