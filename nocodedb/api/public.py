"""The public side of shared views: info, rows, exports, iCal, password auth. No account needed.

Everything is cut to the view's visible fields (nocodedb/services/view_public.py says how).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, client_ip, ctx_of, query_bool, query_int, read_model, transaction
from nocodedb.api.routing import Routes
from nocodedb.api.rows import _filters, _order_by
from nocodedb.api.view_models import PublicAuthBody
from nocodedb.db.schema import tables
from nocodedb.queries.rows import FieldSet, RowQuery, list_rows, row_to_api
from nocodedb.services import audit
from nocodedb.services.view_export import to_csv, to_ical
from nocodedb.services.view_public import authenticate, find_public_view, public_fields, public_info
from nocodedb.services.view_rows import view_conditions
from views.tree import sort_clauses

routes = Routes()
V = "/api/database/views"
LISTED = {"grid", "gallery", "kanban", "calendar"}
MAX_PAGE_SIZE = 200
MAX_EXPORT_ROWS = 10_000
AUTH_HEADER = "baserow-view-authorization"
MAX_FAILURES = 20
PASSWORD_WINDOW = 600  # seconds


async def _database_id(conn: AsyncConnection, table_id: int) -> int:
    return int((await conn.execute(select(tables.c.database_id).where(tables.c.id == table_id))).scalar_one())


def _public_order(row: Any, shown: list[Any], ctx: Any) -> list[Any]:
    """The view's group-bys and sorts on visible fields only: a hidden field's order is not shown either."""
    from nocodedb.services.metadata import row_source
    from nocodedb.services.views import view_types

    view_type = view_types().get(row.type)
    items = (list(row.group_bys or []) if view_type.can_group_by else []) + (
        list(row.sorts or []) if view_type.can_sort else []
    )
    by_id = {f.id: f for f in shown}
    return sort_clauses([i for i in items if i.get("field") in by_id], by_id.get, ctx.field_types, row_source())


async def _rows(
    request: Request, kinds: set[str], *, export: bool = False
) -> tuple[Any, FieldSet, int | None, list[Any]]:
    ctx = ctx_of(request)
    slug = request.path_params["slug"]
    user_field_names = query_bool(request, "user_field_names")
    if export:
        page, size = 1, MAX_EXPORT_ROWS
    else:
        page = query_int(request, "page", 1)
        size = query_int(request, "size", 100, maximum=MAX_PAGE_SIZE)
    async with transaction(request) as conn:
        row = await find_public_view(conn, slug, ctx.secret, request.headers.get(AUTH_HEADER), kinds=kinds)
        table_fields, shown = await public_fields(conn, row)
        fieldset = FieldSet(shown)
        query = RowQuery(
            filters=_filters(request),
            order_by=_order_by(request, fieldset, user_field_names),
            search=request.query_params.get("search") or None,
            offset=(page - 1) * size,
            limit=size,
            conditions=view_conditions(row, table_fields, ctx.field_types, ctx.filter_types),
            view_order=_public_order(row, shown, ctx),
        )
        count, records = await list_rows(
            conn,
            row.table_id,
            await _database_id(conn, row.table_id),
            fieldset,
            ctx.field_types,
            ctx.filter_types,
            query,
            user_field_names=user_field_names,
        )
    return row, fieldset, count, records


@routes.add(
    V + "/{slug}/public/auth/",
    ["POST"],
    "Unlock a password-protected shared view or form",
    auth="public",
    body=PublicAuthBody,
)
async def public_auth(request: Request) -> Response:
    body = await read_model(request, PublicAuthBody)
    slug = str(request.path_params["slug"])[:200]
    async with transaction(request) as conn:
        if await audit.count_recent(conn, "public_view.password_failed", PASSWORD_WINDOW, slug=slug) >= MAX_FAILURES:
            raise errors.RateLimited("Too many wrong passwords for this view; wait a few minutes.")
    try:
        async with transaction(request) as conn:
            result = await authenticate(conn, slug, ctx_of(request).secret, body.password)
    except errors.InvalidPublicViewPassword:
        # Recorded in its own transaction: the failed attempt must count even though the request fails.
        async with transaction(request) as conn:
            await audit.record(conn, "public_view.password_failed", ip=client_ip(request), slug=slug)
        raise
    return JSONResponse(result)


@routes.add(V + "/{slug}/public/info/", ["GET"], "A shared view's visible fields and options", auth="public")
async def info(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        row = await find_public_view(
            conn, request.path_params["slug"], ctx.secret, request.headers.get(AUTH_HEADER), kinds=LISTED
        )
        _, shown = await public_fields(conn, row)
    return JSONResponse(public_info(row, shown, ctx.field_types))


def _page(request: Request, row: Any, fieldset: FieldSet, count: int | None, records: list[Any]) -> Response:
    user_field_names = query_bool(request, "user_field_names")
    results = [row_to_api(r, fieldset, ctx_of(request).field_types, user_field_names=user_field_names) for r in records]
    body: dict[str, Any] = {"count": count, "results": results}
    if "field_options" in request.query_params.get("include", ""):
        body["field_options"] = public_info(row, fieldset.fields, ctx_of(request).field_types)["view"]["field_options"]
    return JSONResponse(body)


@routes.add(
    V + "/grid/{slug}/public/rows/",
    ["GET"],
    "Rows of a shared grid: visible fields only; page, size, search, filters, order_by",
    auth="public",
)
async def grid_rows(request: Request) -> Response:
    row, fieldset, count, records = await _rows(request, {"grid"})
    return _page(request, row, fieldset, count, records)


@routes.add(
    V + "/{slug}/public/rows/",
    ["GET"],
    "Rows of any shared view (grid, gallery, kanban, calendar)",
    auth="public",
)
async def view_rows(request: Request) -> Response:
    row, fieldset, count, records = await _rows(request, LISTED)
    return _page(request, row, fieldset, count, records)


@routes.add(V + "/{slug}/public/export/", ["GET"], "A shared view as CSV or JSON (?format=csv|json)", auth="public")
async def export(request: Request) -> Response:
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "json"):
        raise errors.QueryInvalid({"format": [{"error": "csv or json.", "code": "invalid_choice"}]})
    _row, fieldset, _, records = await _rows(request, LISTED, export=True)
    api_rows = [row_to_api(r, fieldset, ctx_of(request).field_types, user_field_names=True) for r in records]
    if fmt == "json":
        return Response(orjson.dumps(api_rows), media_type="application/json")
    header = ["id", *[f.name for f in fieldset.fields]]
    body = to_csv(header, [[r["id"], *[r.get(f.name) for f in fieldset.fields]] for r in api_rows])
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="export.csv"'},
    )


@routes.add(V + "/calendar/{slug}/ical.ics", ["GET"], "A shared calendar view as an iCal feed", auth="public")
async def ical(request: Request) -> Response:
    row, fieldset, _, records = await _rows(request, {"calendar"}, export=True)
    date_field = fieldset.by_id.get((row.options or {}).get("date_field"))
    primary = next((f for f in fieldset.fields if f.primary), None)
    events: list[tuple[int, str, str]] = []
    if date_field is not None:
        for r in records:
            api_row = row_to_api(r, fieldset, ctx_of(request).field_types, user_field_names=False)
            when = api_row.get(f"field_{date_field.id}")
            if isinstance(when, str) and when:
                title = str(api_row.get(f"field_{primary.id}") or "") if primary else ""
                events.append((r.id, title, when))
    return Response(to_ical(row.name, events), media_type="text/calendar; charset=utf-8")
