"""Views, their filters, filter groups, sorts, group-bys and field options (Baserow's paths)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, read_json, read_model, transaction
from nocodedb.api.routing import Routes
from nocodedb.api.view_models import (
    FieldOptionsBody,
    FilterBody,
    FilterGroupBody,
    FilterGroupPatch,
    FilterPatch,
    SortBody,
    SortPatch,
    ViewOrderBody,
)
from nocodedb.services import view_items, views

routes = Routes()
V = "/api/database/views"


def _include(request: Request) -> set[str]:
    raw = request.query_params.get("include", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


@routes.add(V + "/table/{table_id:int}/", ["GET"], "Views of a table (?include=filters,sortings,group_bys)")
async def list_views(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.list_views(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "table_id"), _include(request)
        )
    return JSONResponse(result)


@routes.add(V + "/table/{table_id:int}/", ["POST"], "Create a view: grid, gallery, form, kanban or calendar")
async def create_view(request: Request) -> Response:
    ctx = ctx_of(request)
    body = await read_json(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.create_view(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "table_id"), body
        )
    return JSONResponse(result)


@routes.add(
    V + "/table/{table_id:int}/order/",
    ["POST"],
    "Order the views of a table: {view_ids: [...]}",
    body=ViewOrderBody,
)
async def order_views(request: Request) -> Response:
    body = await read_model(request, ViewOrderBody)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await views.order_views(conn, actor, path_int(request, "table_id"), body.view_ids)
    return Response(status_code=204)


@routes.add(V + "/{view_id:int}/", ["GET"], "One view (?include=filters,sortings,group_bys,field_options)")
async def get_view(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.get_view(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id"), _include(request)
        )
    return JSONResponse(result)


@routes.add(
    V + "/{view_id:int}/",
    ["PATCH"],
    "Update a view: name, options, filter_type, filters_disabled, public, public_view_password",
)
async def update_view(request: Request) -> Response:
    ctx = ctx_of(request)
    body = await read_json(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.update_view(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id"), body
        )
    return JSONResponse(result)


@routes.add(V + "/{view_id:int}/", ["DELETE"], "Delete a view")
async def delete_view(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await views.delete_view(conn, actor, path_int(request, "view_id"))
    return Response(status_code=204)


@routes.add(V + "/{view_id:int}/duplicate/", ["POST"], "Duplicate a view with its filters, sorts and options")
async def duplicate_view(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.duplicate_view(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id")
        )
    return JSONResponse(result)


@routes.add(V + "/{view_id:int}/rotate-slug/", ["POST"], "A new public link for a shared view (the old one stops)")
async def rotate_slug(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await views.rotate_slug(conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id"))
    return JSONResponse(result)


# --- filters ------------------------------------------------------------------------------------------


@routes.add(V + "/{view_id:int}/filters/", ["GET"], "Filters of a view (each says whether it is active)")
async def list_filters(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.list_filters(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id")
        )
    return JSONResponse(result)


@routes.add(V + "/{view_id:int}/filters/", ["POST"], "Add a filter: {field, type, value, group?}", body=FilterBody)
async def create_filter(request: Request) -> Response:
    ctx = ctx_of(request)
    body = (await read_model(request, FilterBody)).model_dump()
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.create_filter(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id"), body
        )
    return JSONResponse(result)


@routes.add(V + "/filter/{filter_id:int}/", ["GET"], "One view filter")
async def get_filter(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.get_filter(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "filter_id")
        )
    return JSONResponse(result)


@routes.add(V + "/filter/{filter_id:int}/", ["PATCH"], "Update a view filter", body=FilterPatch)
async def update_filter(request: Request) -> Response:
    ctx = ctx_of(request)
    body = (await read_model(request, FilterPatch)).model_dump(exclude_unset=True)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.update_filter(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "filter_id"), body
        )
    return JSONResponse(result)


@routes.add(V + "/filter/{filter_id:int}/", ["DELETE"], "Delete a view filter")
async def delete_filter(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await view_items.delete_filter(conn, actor, path_int(request, "filter_id"))
    return Response(status_code=204)


@routes.add(
    V + "/{view_id:int}/filter-groups/",
    ["POST"],
    "Add a filter group: {filter_type, parent_group?}",
    body=FilterGroupBody,
)
async def create_filter_group(request: Request) -> Response:
    body = (await read_model(request, FilterGroupBody)).model_dump()
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.create_filter_group(conn, actor, path_int(request, "view_id"), body)
    return JSONResponse(result)


@routes.add(V + "/filter-group/{group_id:int}/", ["PATCH"], "Update a filter group", body=FilterGroupPatch)
async def update_filter_group(request: Request) -> Response:
    body = (await read_model(request, FilterGroupPatch)).model_dump(exclude_unset=True)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.update_filter_group(conn, actor, path_int(request, "group_id"), body)
    return JSONResponse(result)


@routes.add(V + "/filter-group/{group_id:int}/", ["DELETE"], "Delete a filter group, its sub-groups and filters")
async def delete_filter_group(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await view_items.delete_filter_group(conn, actor, path_int(request, "group_id"))
    return Response(status_code=204)


# --- sorts and group-bys ------------------------------------------------------------------------------


def _sort_routes(plural: str, singular: str, kind: str, label: str) -> None:
    async def list_all(request: Request) -> Response:
        async with transaction(request) as conn:
            actor = await actor_for(request, conn)
            result = await view_items.list_items(conn, actor, path_int(request, "view_id"), kind)
        return JSONResponse(result)

    async def create(request: Request) -> Response:
        body = (await read_model(request, SortBody)).model_dump()
        async with transaction(request) as conn:
            actor = await actor_for(request, conn)
            result = await view_items.create_sort_item(conn, actor, path_int(request, "view_id"), kind, body)
        return JSONResponse(result)

    async def get_one(request: Request) -> Response:
        async with transaction(request) as conn:
            actor = await actor_for(request, conn)
            result = await view_items.get_sort_item(conn, actor, kind, path_int(request, "item_id"))
        return JSONResponse(result)

    async def update_one(request: Request) -> Response:
        body = (await read_model(request, SortPatch)).model_dump(exclude_unset=True)
        async with transaction(request) as conn:
            actor = await actor_for(request, conn)
            result = await view_items.update_sort_item(conn, actor, kind, path_int(request, "item_id"), body)
        return JSONResponse(result)

    async def delete_one(request: Request) -> Response:
        async with transaction(request) as conn:
            actor = await actor_for(request, conn)
            await view_items.delete_sort_item(conn, actor, kind, path_int(request, "item_id"))
        return Response(status_code=204)

    routes.add(f"{V}/{{view_id:int}}/{plural}/", ["GET"], f"{label}s of a view")(list_all)
    routes.add(f"{V}/{{view_id:int}}/{plural}/", ["POST"], f"Add a {label}: {{field, order, type?}}", body=SortBody)(
        create
    )
    routes.add(f"{V}/{singular}/{{item_id:int}}/", ["GET"], f"One {label}")(get_one)
    routes.add(f"{V}/{singular}/{{item_id:int}}/", ["PATCH"], f"Update a {label}", body=SortPatch)(update_one)
    routes.add(f"{V}/{singular}/{{item_id:int}}/", ["DELETE"], f"Delete a {label}")(delete_one)


_sort_routes("sortings", "sort", "sorts", "sort")
_sort_routes("group_bys", "group_by", "group_bys", "group-by")


# --- field options ------------------------------------------------------------------------------------


@routes.add(V + "/{view_id:int}/field-options/", ["GET"], "Per-field options of a view (hidden, width, order...)")
async def get_field_options(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.get_field_options(conn, actor, path_int(request, "view_id"))
    return JSONResponse(result)


@routes.add(
    V + "/{view_id:int}/field-options/",
    ["PATCH"],
    "Change per-field options: {field_options: {id: {...}}}",
    body=FieldOptionsBody,
)
async def update_field_options(request: Request) -> Response:
    body = (await read_model(request, FieldOptionsBody)).model_dump()
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await view_items.update_field_options(conn, actor, path_int(request, "view_id"), body)
    return JSONResponse(result)
