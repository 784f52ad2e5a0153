"""Public forms and row edit links: the visitor's side (no account) and the builder's side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import (
    JSONResponse,
    actor_for,
    client_ip,
    ctx_of,
    path_int,
    query_int,
    read_json,
    read_model,
    transaction,
)
from nocodedb.api.public import AUTH_HEADER
from nocodedb.api.routing import Routes
from nocodedb.api.view_models import EditLinksBody
from nocodedb.queries.rows import FieldSet, RowQuery, list_rows, row_to_api
from nocodedb.services import edit_links, forms
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_public import find_public_view

routes = Routes()
V = "/api/database/views"


@routes.add(V + "/form/{slug}/submit/", ["GET"], "A shared form: title, fields, labels, conditions", auth="public")
async def form_info(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        row = await find_public_view(
            conn, request.path_params["slug"], ctx.secret, request.headers.get(AUTH_HEADER), kinds={"form"}
        )
        table_fields = await load_fields(conn, row.table_id)
    return JSONResponse(forms.form_metadata(row, table_fields, ctx.field_types, dict(request.query_params)))


@routes.add(V + "/form/{slug}/submit/", ["POST"], "Submit a shared form: creates one row", auth="public")
async def form_submit(request: Request) -> Response:
    ctx = ctx_of(request)
    body = await read_json(request)
    async with transaction(request) as conn:
        row = await find_public_view(
            conn, request.path_params["slug"], ctx.secret, request.headers.get(AUTH_HEADER), kinds={"form"}
        )
        table_fields = await load_fields(conn, row.table_id)
        result = await forms.submit(
            conn, ctx.field_types, ctx.filter_types, row, table_fields, body, client_ip(request)
        )
    return JSONResponse(result)


@routes.add(
    V + "/form/{slug}/link-row-field-lookup/{field_id:int}/",
    ["GET"],
    "Rows a form's link field may choose: primary values only (?search=, ?page=)",
    auth="public",
)
async def link_lookup(request: Request) -> Response:
    ctx = ctx_of(request)
    page = query_int(request, "page", 1)
    async with transaction(request) as conn:
        row = await find_public_view(
            conn, request.path_params["slug"], ctx.secret, request.headers.get(AUTH_HEADER), kinds={"form"}
        )
        field_id = path_int(request, "field_id")
        on_form = {f.id: f for f, _ in forms.form_fields(row, await load_fields(conn, row.table_id))}
        f = on_form.get(field_id)
        target = f.options.get("link_row_table_id") if f is not None and f.type == "link_row" else None
        if target is None:
            raise errors.FieldNotFound("The form has no such link field.")
        primary = [t for t in await load_fields(conn, int(target)) if t.primary]
        fieldset = FieldSet(primary)
        from nocodedb.api.public import _database_id

        query = RowQuery(search=request.query_params.get("search") or None, offset=(page - 1) * 20, limit=20)
        count, records = await list_rows(
            conn,
            int(target),
            await _database_id(conn, int(target)),
            fieldset,
            ctx.field_types,
            ctx.filter_types,
            query,
            user_field_names=False,
        )
    results = []
    for r in records:
        api_row = row_to_api(r, fieldset, ctx.field_types, user_field_names=False)
        value = api_row.get(f"field_{primary[0].id}") if primary else None
        results.append({"id": r.id, "value": value})
    return JSONResponse({"count": count, "results": results})


# --- edit links: the builder's side -------------------------------------------------------------------


@routes.add(
    V + "/{view_id:int}/edit-links/",
    ["POST"],
    "Create edit links for rows through a form view: {row_ids} or {source_view_id}, expires_in_days?",
    body=EditLinksBody,
)
async def create_links(request: Request) -> Response:
    ctx = ctx_of(request)
    body = (await read_model(request, EditLinksBody)).model_dump(exclude_none=True)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await edit_links.create_links(
            conn, ctx.secret, ctx.field_types, ctx.filter_types, actor, path_int(request, "view_id"), body
        )
    return JSONResponse(result)


@routes.add(V + "/{view_id:int}/edit-links/", ["GET"], "Edit links of a form view (never their secrets)")
async def list_links(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await edit_links.list_links(conn, actor, path_int(request, "view_id")))


@routes.add(V + "/{view_id:int}/edit-links/revoke-all/", ["POST"], "Revoke every edit link of a form view")
async def revoke_all(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await edit_links.revoke_all(conn, actor, path_int(request, "view_id")))


@routes.add(V + "/edit-link/{link_id:int}/", ["DELETE"], "Revoke one edit link")
async def revoke_link(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await edit_links.revoke_link(conn, actor, path_int(request, "link_id"))
    return Response(status_code=204)


# --- edit links: the visitor's side -------------------------------------------------------------------


@routes.add(
    V + "/form/edit/{token}/",
    ["GET"],
    "The form of an edit link, filled with the row's values",
    auth="public",
)
async def open_link(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        result = await edit_links.link_form(conn, ctx.secret, ctx.field_types, request.path_params["token"])
    return JSONResponse(result)


@routes.add(V + "/form/edit/{token}/", ["POST"], "Submit an edit link's form: updates that row only", auth="public")
async def submit_link(request: Request) -> Response:
    ctx = ctx_of(request)
    body = await read_json(request)
    async with transaction(request) as conn:
        result = await edit_links.submit_link(
            conn,
            ctx.secret,
            ctx.field_types,
            ctx.filter_types,
            request.path_params["token"],
            body,
            client_ip(request),
        )
    return JSONResponse(result)
