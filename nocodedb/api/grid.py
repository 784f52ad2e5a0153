"""Grid views: their rows (Baserow's list endpoint, with group-by counts), and footer totals."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from fields import Field
from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, query_bool, query_int, transaction
from nocodedb.api.public import AUTH_HEADER, _database_id
from nocodedb.api.routing import Routes
from nocodedb.api.rows import _filters
from nocodedb.queries.aggregations import aggregate
from nocodedb.queries.groups import group_counts
from nocodedb.queries.rows import (
    FieldSet,
    RowQuery,
    filter_condition,
    list_rows,
    row_to_api,
    search_condition,
)
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_public import find_public_view, public_fields
from nocodedb.services.view_rows import view_conditions, view_order, visible_fields
from nocodedb.services.views import load_view, view_types
from views.aggregations import AggregationType, default_aggregation_types

routes = Routes()
V = "/api/database/views/grid"
AGGREGATIONS = default_aggregation_types()
MAX_PAGE_SIZE = 200


async def _grid(request: Request, conn: AsyncConnection) -> Any:
    actor = await actor_for(request, conn)
    row, _ = await load_view(conn, actor, path_int(request, "view_id"), "viewer")
    if row.type != "grid":
        raise errors.ViewNotFound("This view is not a grid view.")
    return row


def _conditions(request: Request, row: Any, table_fields: list[Field], searchable: list[Field]) -> list[Any]:
    """The view's filters, then the request's own filters and search (on the fields it may see)."""
    ctx = ctx_of(request)
    conditions = view_conditions(row, table_fields, ctx.field_types, ctx.filter_types)
    fieldset = FieldSet(searchable)
    adhoc = _filters(request)
    if adhoc:
        user_field_names = query_bool(request, "user_field_names")
        conditions.append(filter_condition(adhoc, fieldset, ctx.field_types, ctx.filter_types, user_field_names))
    search = request.query_params.get("search")
    if search:
        conditions.append(search_condition(search, fieldset, ctx.field_types))
    return conditions


@routes.add(
    V + "/{view_id:int}/",
    ["GET"],
    "Rows of a grid view, filtered and sorted as the view is (?include=field_options, ?count=true)",
)
async def grid_rows(request: Request) -> Response:
    ctx = ctx_of(request)
    user_field_names = query_bool(request, "user_field_names")
    if "limit" in request.query_params or "offset" in request.query_params:
        size = query_int(request, "limit", 100, maximum=MAX_PAGE_SIZE)
        offset = query_int(request, "offset", 0, minimum=0)
    else:
        size = query_int(request, "size", 100, maximum=MAX_PAGE_SIZE)
        offset = (query_int(request, "page", 1) - 1) * size
    async with transaction(request) as conn:
        row = await _grid(request, conn)
        table_fields = await load_fields(conn, row.table_id)
        fieldset = FieldSet(table_fields)
        conditions = _conditions(request, row, table_fields, table_fields)
        database_id = await _database_id(conn, row.table_id)
        query = RowQuery(
            offset=offset,
            limit=size,
            conditions=conditions,
            view_order=view_order(row, table_fields, ctx.field_types),
        )
        count, records = await list_rows(
            conn,
            row.table_id,
            database_id,
            fieldset,
            ctx.field_types,
            ctx.filter_types,
            query,
            user_field_names=user_field_names,
        )
        if query_bool(request, "count"):
            return JSONResponse({"count": count})
        kept = [g for g in row.group_bys or [] if g.get("field") in fieldset.by_id]
        levels = [fieldset.by_id[g["field"]] for g in kept]
        groups = await group_counts(conn, row.table_id, database_id, conditions, levels, ctx.field_types, kept)
    body: dict[str, Any] = {
        "count": count,
        "next": None,
        "previous": None,
        "results": [row_to_api(r, fieldset, ctx.field_types, user_field_names=user_field_names) for r in records],
    }
    if levels:
        body["group_by_metadata"] = groups
    if "field_options" in request.query_params.get("include", ""):
        body["field_options"] = view_types().get("grid").field_options_for(table_fields, row.field_options or {})
    return JSONResponse(body)


def _aggregation(name: str | None, f: Field, field_types: Any) -> AggregationType:
    if not name or name not in AGGREGATIONS:
        raise errors.AggregationTypeUnknown(f"The aggregation type {name!r} does not exist.")
    aggregation = AGGREGATIONS.get(name)
    if not aggregation.compatible(field_types.get(f.type)):
        raise errors.AggregationNotSupported(f"{name!r} does not apply to a {f.type} field.")
    return aggregation


def _chosen(row: Any, shown: list[Field], field_types: Any) -> list[tuple[str, Field, AggregationType]]:
    """The totals the grid's field options ask for, on visible fields, skipping those that no longer fit."""
    options = view_types().get("grid").field_options_for(shown, row.field_options or {})
    wanted = []
    for f in shown:
        name = options[str(f.id)].get("aggregation_raw_type")
        if name in AGGREGATIONS and AGGREGATIONS.get(name).compatible(field_types.get(f.type)):
            wanted.append((f"field_{f.id}", f, AGGREGATIONS.get(name)))
    return wanted


@routes.add(V + "/{view_id:int}/field-aggregations/", ["GET"], "Footer totals of a grid view (?include=total)")
async def field_aggregations(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        row = await _grid(request, conn)
        table_fields = await load_fields(conn, row.table_id)
        shown = visible_fields(row, table_fields)
        result = await aggregate(
            conn,
            row.table_id,
            await _database_id(conn, row.table_id),
            _conditions(request, row, table_fields, table_fields),
            _chosen(row, shown, ctx.field_types),
            ctx.field_types,
            with_total="total" in request.query_params.get("include", ""),
        )
    return JSONResponse(result)


@routes.add(
    V + "/{view_id:int}/field-aggregation/{field_id:int}/",
    ["GET"],
    "One total of a grid view's field: ?type=count|empty_count|sum|average|median|distribution|...",
)
async def field_aggregation(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        row = await _grid(request, conn)
        table_fields = await load_fields(conn, row.table_id)
        f = FieldSet(table_fields).by_id.get(path_int(request, "field_id"))
        if f is None:
            raise errors.FieldNotInTable()
        aggregation = _aggregation(request.query_params.get("type"), f, ctx.field_types)
        result = await aggregate(
            conn,
            row.table_id,
            await _database_id(conn, row.table_id),
            _conditions(request, row, table_fields, table_fields),
            [("value", f, aggregation)],
            ctx.field_types,
            with_total="total" in request.query_params.get("include", ""),
        )
    return JSONResponse(result)


@routes.add(
    V + "/{slug}/public/field-aggregations/",
    ["GET"],
    "Footer totals of a shared grid (visible fields only)",
    auth="public",
)
async def public_field_aggregations(request: Request) -> Response:
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        row = await find_public_view(
            conn, request.path_params["slug"], ctx.secret, request.headers.get(AUTH_HEADER), kinds={"grid"}
        )
        table_fields, shown = await public_fields(conn, row)
        result = await aggregate(
            conn,
            row.table_id,
            await _database_id(conn, row.table_id),
            _conditions(request, row, table_fields, shown),
            _chosen(row, shown, ctx.field_types),
            ctx.field_types,
            with_total="total" in request.query_params.get("include", ""),
        )
    return JSONResponse(result)
