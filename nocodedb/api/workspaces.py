"""Workspaces (and the older /api/groups/ paths), members, databases ("applications")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, path_int, read_model, transaction
from nocodedb.api.models import AddMember, CreateApplication, MemberRole, NameOnly
from nocodedb.api.routing import Routes
from nocodedb.services import workspaces

routes = Routes()


@routes.add("/api/workspaces/", ["GET"], "Workspaces of the current user")
@routes.add("/api/groups/", ["GET"], "Workspaces of the current user (older path)")
async def list_workspaces(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.list_workspaces(conn, actor))


@routes.add("/api/workspaces/", ["POST"], "Create a workspace", body=NameOnly)
@routes.add("/api/groups/", ["POST"], "Create a workspace (older path)", body=NameOnly)
async def create_workspace(request: Request) -> Response:
    body = await read_model(request, NameOnly)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.create_workspace(conn, actor, body.name))


@routes.add("/api/workspaces/{workspace_id:int}/", ["PATCH"], "Rename a workspace", body=NameOnly)
@routes.add("/api/groups/{workspace_id:int}/", ["PATCH"], "Rename a workspace (older path)", body=NameOnly)
async def update_workspace(request: Request) -> Response:
    body = await read_model(request, NameOnly)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(
            await workspaces.update_workspace(conn, actor, path_int(request, "workspace_id"), body.name)
        )


@routes.add("/api/workspaces/{workspace_id:int}/", ["DELETE"], "Delete a workspace")
@routes.add("/api/groups/{workspace_id:int}/", ["DELETE"], "Delete a workspace (older path)")
async def delete_workspace(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await workspaces.delete_workspace(conn, actor, path_int(request, "workspace_id"))
    return Response(status_code=204)


@routes.add("/api/workspaces/users/workspace/{workspace_id:int}/", ["GET"], "Members of a workspace")
async def list_members(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.list_members(conn, actor, path_int(request, "workspace_id")))


@routes.add("/api/workspaces/users/workspace/{workspace_id:int}/", ["POST"], "Add a member by email", body=AddMember)
async def add_member(request: Request) -> Response:
    body = await read_model(request, AddMember)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await workspaces.add_member(
            conn, actor, path_int(request, "workspace_id"), body.email, body.permissions
        )
    return JSONResponse(result)


@routes.add(
    "/api/workspaces/users/workspace/{workspace_id:int}/{user_id:int}/",
    ["PATCH"],
    "Change a member's role",
    body=MemberRole,
)
async def set_member_role(request: Request) -> Response:
    body = await read_model(request, MemberRole)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await workspaces.set_member_role(
            conn, actor, path_int(request, "workspace_id"), path_int(request, "user_id"), body.permissions
        )
    return JSONResponse(result)


@routes.add("/api/applications/workspace/{workspace_id:int}/", ["GET"], "Databases of a workspace")
@routes.add("/api/applications/group/{workspace_id:int}/", ["GET"], "Databases of a workspace (older path)")
async def list_applications(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.list_databases(conn, actor, path_int(request, "workspace_id")))


@routes.add("/api/applications/workspace/{workspace_id:int}/", ["POST"], "Create a database", body=CreateApplication)
@routes.add(
    "/api/applications/group/{workspace_id:int}/", ["POST"], "Create a database (older path)", body=CreateApplication
)
async def create_application(request: Request) -> Response:
    body = await read_model(request, CreateApplication)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.create_database(conn, actor, path_int(request, "workspace_id"), body.name))


@routes.add("/api/applications/{database_id:int}/", ["GET"], "One database with its tables")
async def get_application(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.get_database(conn, actor, path_int(request, "database_id")))


@routes.add("/api/applications/{database_id:int}/", ["PATCH"], "Rename a database", body=NameOnly)
async def update_application(request: Request) -> Response:
    body = await read_model(request, NameOnly)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await workspaces.update_database(conn, actor, path_int(request, "database_id"), body.name))


@routes.add("/api/applications/{database_id:int}/", ["DELETE"], "Delete a database")
async def delete_application(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await workspaces.delete_database(conn, actor, path_int(request, "database_id"))
    return Response(status_code=204)
