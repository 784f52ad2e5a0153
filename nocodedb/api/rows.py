"""Rows: list with filters, search, sorts and pages; get, create, update, delete; batches."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import (
    MAX_ID,
    JSONResponse,
    actor_for,
    ctx_of,
    path_int,
    query_bool,
    query_int,
    read_json,
    read_model,
    transaction,
)
from nocodedb.api.models import BatchDelete, BatchItems
from nocodedb.api.routing import Routes
from nocodedb.queries.rows import FieldSet, RowQuery, fetch_rows, list_rows, row_to_api
from nocodedb.services import rows as row_service
from nocodedb.services.actor import table_scope
from nocodedb.services.indexes import filter_uses, plans_for_query
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_rows import view_query_parts

routes = Routes()
MAX_PAGE_SIZE = 200
LEGACY_FILTER = re.compile(r"^filter__(field_\d+|.+?)__([a-z_]+)$")


def _fields_param(request: Request, name: str, fieldset: FieldSet, user_field_names: bool) -> set[int] | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    chosen = set()
    for part in raw.split(","):
        f = fieldset.find(part.strip(), user_field_names)
        if f is not None:
            chosen.add(f.id)
    return chosen


def _order_by(request: Request, fieldset: FieldSet, user_field_names: bool) -> list[tuple[Any, bool]]:
    raw = request.query_params.get("order_by")
    if not raw:
        return []
    sorts = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-")
        f = fieldset.find(name, user_field_names)
        if f is None:
            raise errors.OrderByFieldNotFound(f"The field {name!r} does not exist.")
        sorts.append((f, descending))
    return sorts[:10]


def _filters(request: Request) -> dict[str, Any] | None:
    raw = request.query_params.get("filters")
    if raw:
        try:
            tree = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise errors.QueryInvalid({"filters": [{"error": "filters must be JSON.", "code": "invalid"}]}) from None
        if not isinstance(tree, dict):
            raise errors.QueryInvalid({"filters": [{"error": "filters must be a JSON object.", "code": "invalid"}]})
        return tree
    legacy = []
    for key, value in request.query_params.multi_items():
        match = LEGACY_FILTER.match(key)
        if match:
            legacy.append({"field": match.group(1), "type": match.group(2), "value": value})
    if not legacy:
        return None
    return {"filter_type": request.query_params.get("filter_type", "AND"), "filters": legacy}


def _advise_indexes(
    request: Request, table_id: int, count: int, fieldset: FieldSet, query: RowQuery, user_field_names: bool
) -> None:
    """Large table (`count` rows) sorted, filtered or searched: build the matching indexes in the background."""
    ctx = ctx_of(request)
    if count < ctx.settings.large_table_rows or not (query.order_by or query.filters or query.search):
        return
    used = []
    for ref, filter_type in filter_uses(query.filters):
        f = fieldset.find(ref, False) or (fieldset.find(ref, True) if user_field_names else None)
        if f is not None:
            used.append((f, filter_type))
    plans = plans_for_query(table_id, query.order_by, used, ctx.field_types, searched=bool(query.search))
    ctx.indexes.consider(table_id, count, plans)


def _page_url(request: Request, page: int) -> str:
    params = dict(request.query_params.multi_items())
    params["page"] = str(page)
    return str(request.url.replace(query=urlencode(params)))


@routes.add(
    "/api/database/rows/table/{table_id:int}/", ["GET"], "List rows: filters, search, order_by, pages", auth="token"
)
async def list_table_rows(request: Request) -> Response:
    ctx = ctx_of(request)
    table_id = path_int(request, "table_id")
    user_field_names = query_bool(request, "user_field_names")
    page = query_int(request, "page", 1, maximum=MAX_ID // MAX_PAGE_SIZE)  # the offset must fit in a bigint
    size = query_int(request, "size", 100, maximum=MAX_PAGE_SIZE)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        scope = await table_scope(conn, actor, table_id, minimum="viewer", operation="read")
        fieldset = FieldSet(await load_fields(conn, table_id))
        conditions, view_order = await view_query_parts(
            conn, request.query_params.get("view_id"), table_id, fieldset.fields, ctx.field_types, ctx.filter_types
        )
        query = RowQuery(
            filters=_filters(request),
            order_by=_order_by(request, fieldset, user_field_names),
            search=request.query_params.get("search") or None,
            offset=(page - 1) * size,
            limit=size,
            conditions=conditions,
            view_order=view_order,
        )
        count, records = await list_rows(
            conn,
            table_id,
            scope.database_id,
            fieldset,
            ctx.field_types,
            ctx.filter_types,
            query,
            user_field_names=user_field_names,
            row_count=scope.row_count,
        )
        if query.order_by or query.filters or query.search:
            _advise_indexes(request, table_id, scope.row_count or 0, fieldset, query, user_field_names)
    assert count is not None
    if page > 1 and not records:
        raise errors.PageInvalid()
    only = _fields_param(request, "include", fieldset, user_field_names)
    excluded = _fields_param(request, "exclude", fieldset, user_field_names)
    if excluded:
        only = (only if only is not None else {f.id for f in fieldset.fields}) - excluded
    results = [row_to_api(r, fieldset, ctx.field_types, user_field_names=user_field_names, only=only) for r in records]
    return JSONResponse(
        {
            "count": count,
            "next": _page_url(request, page + 1) if page * size < count else None,
            "previous": _page_url(request, page - 1) if page > 1 else None,
            "results": results,
        }
    )


async def _answer_rows(request: Request, table_id: int, fieldset: FieldSet, records: list[Any]) -> list[dict[str, Any]]:
    user_field_names = query_bool(request, "user_field_names")
    return [row_to_api(r, fieldset, ctx_of(request).field_types, user_field_names=user_field_names) for r in records]


@routes.add("/api/database/rows/table/{table_id:int}/{row_id:int}/", ["GET"], "One row", auth="token")
async def get_row(request: Request) -> Response:
    ctx = ctx_of(request)
    table_id, row_id = path_int(request, "table_id"), path_int(request, "row_id")
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        scope = await table_scope(conn, actor, table_id, minimum="viewer", operation="read")
        fieldset = FieldSet(await load_fields(conn, table_id))
        records = await fetch_rows(conn, table_id, scope.database_id, [row_id], fieldset, ctx.field_types)
    if not records:
        raise errors.RowNotFound()
    return JSONResponse((await _answer_rows(request, table_id, fieldset, records))[0])


@routes.add(
    "/api/database/rows/table/{table_id:int}/", ["POST"], "Create a row (?before=<row id> to place it)", auth="token"
)
async def create_row(request: Request) -> Response:
    body = await read_json(request)
    table_id = path_int(request, "table_id")
    before = request.query_params.get("before")
    if before is not None and not (before.isascii() and before.isdigit() and int(before) <= MAX_ID):
        raise errors.QueryInvalid({"before": [{"error": "A row id is required.", "code": "invalid"}]})
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        try:
            fieldset, records = await row_service.create_rows(
                conn,
                ctx_of(request).field_types,
                actor,
                table_id,
                [body],
                user_field_names=query_bool(request, "user_field_names"),
                before_id=int(before) if before else None,
                filter_types=ctx_of(request).filter_types,
            )
        except errors.RequestBodyInvalid as exc:
            raise _single_item_errors(exc) from None
    return JSONResponse((await _answer_rows(request, table_id, fieldset, records))[0])


def _single_item_errors(exc: errors.APIError) -> errors.APIError:
    """A single-row request reports its field errors without the batch's "items"/"0" wrapping."""
    detail = exc.detail
    if isinstance(detail, dict) and isinstance(detail.get("items"), dict) and "0" in detail["items"]:
        return errors.RequestBodyInvalid(detail["items"]["0"])
    return exc


@routes.add("/api/database/rows/table/{table_id:int}/{row_id:int}/", ["PATCH"], "Update a row", auth="token")
async def update_row(request: Request) -> Response:
    body = await read_json(request)
    table_id, row_id = path_int(request, "table_id"), path_int(request, "row_id")
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("A row must be a JSON object.")
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        try:
            fieldset, records = await row_service.update_rows(
                conn,
                ctx_of(request).field_types,
                actor,
                table_id,
                [{**body, "id": row_id}],
                user_field_names=query_bool(request, "user_field_names"),
                filter_types=ctx_of(request).filter_types,
            )
        except errors.RequestBodyInvalid as exc:
            raise _single_item_errors(exc) from None
        except errors.RowNotFound:
            raise errors.RowNotFound() from None
    return JSONResponse((await _answer_rows(request, table_id, fieldset, records))[0])


@routes.add("/api/database/rows/table/{table_id:int}/{row_id:int}/", ["DELETE"], "Delete a row", auth="token")
async def delete_row(request: Request) -> Response:
    table_id, row_id = path_int(request, "table_id"), path_int(request, "row_id")
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        try:
            await row_service.delete_rows(
                conn,
                actor,
                table_id,
                [row_id],
                field_types=ctx_of(request).field_types,
                filter_types=ctx_of(request).filter_types,
            )
        except errors.RowNotFound:
            raise errors.RowNotFound() from None
    return Response(status_code=204)


def _check_batch_size(request: Request, items: list[Any]) -> None:
    limit = ctx_of(request).settings.batch_limit
    if len(items) > limit:
        raise errors.RequestBodyInvalid(
            {"items": [{"error": f"Ensure this field has no more than {limit} elements.", "code": "max_length"}]}
        )


@routes.add(
    "/api/database/rows/table/{table_id:int}/batch/", ["POST"], "Create up to 200 rows", auth="token", body=BatchItems
)
async def batch_create(request: Request) -> Response:
    return await _batch_write(request, row_service.create_rows)


@routes.add(
    "/api/database/rows/table/{table_id:int}/batch/", ["PATCH"], "Update up to 200 rows", auth="token", body=BatchItems
)
async def batch_update(request: Request) -> Response:
    return await _batch_write(request, row_service.update_rows)


async def _batch_write(request: Request, write: Any) -> Response:
    """Batch create and batch update: the same request and answer, a different service."""
    body = await read_model(request, BatchItems)
    _check_batch_size(request, body.items)
    table_id = path_int(request, "table_id")
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        fieldset, records = await write(
            conn,
            ctx.field_types,
            actor,
            table_id,
            body.items,
            user_field_names=query_bool(request, "user_field_names"),
            filter_types=ctx.filter_types,
        )
    return JSONResponse({"items": await _answer_rows(request, table_id, fieldset, records)})


@routes.add(
    "/api/database/rows/table/{table_id:int}/batch-delete/",
    ["POST"],
    "Delete up to 200 rows",
    auth="token",
    body=BatchDelete,
)
async def batch_delete(request: Request) -> Response:
    body = await read_model(request, BatchDelete)
    _check_batch_size(request, body.items)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        await row_service.delete_rows(
            conn,
            actor,
            path_int(request, "table_id"),
            body.items,
            field_types=ctx_of(request).field_types,
            filter_types=ctx_of(request).filter_types,
        )
    return Response(status_code=204)
