"""Kanban and calendar views: rows by column (a single select's options) and by day (a date field)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from sqlalchemy import Date, DateTime, cast, func, literal
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, query_bool, query_int, transaction
from nocodedb.api.public import _database_id
from nocodedb.api.routing import Routes
from nocodedb.queries.rows import FieldSet, RowQuery, list_rows, row_to_api
from nocodedb.services.metadata import load_fields, row_source
from nocodedb.services.view_rows import view_conditions, view_order
from nocodedb.services.views import load_view, view_types
from views.filter_dates import has_time

routes = Routes()
V = "/api/database/views"
MAX_COLUMNS = 100
MAX_CALENDAR_ROWS = 2000


async def _typed_view(request: Request, conn: Any, kind: str) -> Any:
    actor = await actor_for(request, conn)
    row, _ = await load_view(conn, actor, path_int(request, "view_id"), "viewer")
    if row.type != kind:
        raise errors.ViewNotFound(f"This view is not a {kind} view.")
    return row


@routes.add(V + "/kanban/{view_id:int}/", ["GET"], "Rows of a kanban view by column (?limit per column, ?offset)")
async def kanban_rows(request: Request) -> Response:
    ctx = ctx_of(request)
    limit = query_int(request, "limit", 40, maximum=200)
    offset = query_int(request, "offset", 0, minimum=0)
    user_field_names = query_bool(request, "user_field_names")
    async with transaction(request) as conn:
        row = await _typed_view(request, conn, "kanban")
        table_fields = await load_fields(conn, row.table_id)
        fieldset = FieldSet(table_fields)
        column_field = fieldset.by_id.get((row.options or {}).get("single_select_field"))
        if column_field is None or column_field.type != "single_select":
            raise errors.ViewFeatureNotSupported("Choose the single select field that makes the columns first.")
        database_id = await _database_id(conn, row.table_id)
        base = view_conditions(row, table_fields, ctx.field_types, ctx.filter_types)
        order = view_order(row, table_fields, ctx.field_types)
        raw = ctx.field_types.get(column_field.type).raw(column_field, row_source())
        options = [o["id"] for o in column_field.options.get("select_options", [])][:MAX_COLUMNS]
        columns: dict[str, Any] = {}
        for option in [None, *options]:
            condition = (
                raw.is_(None) | (raw.astext.notin_([str(o) for o in options]))
                if option is None
                else (raw.astext == str(option))
            )
            query = RowQuery(offset=offset, limit=limit, conditions=[*base, condition], view_order=order)
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
            columns["null" if option is None else str(option)] = {
                "count": count,
                "results": [
                    row_to_api(r, fieldset, ctx.field_types, user_field_names=user_field_names) for r in records
                ],
            }
    field_options = view_types().get("kanban").field_options_for(table_fields, row.field_options or {})
    return JSONResponse({"rows": columns, "field_options": field_options})


def _moment(request: Request, name: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    raw = request.query_params.get(name, "")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise errors.QueryInvalid({name: [{"error": "An ISO date or datetime.", "code": "invalid"}]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@routes.add(
    V + "/calendar/{view_id:int}/",
    ["GET"],
    "Rows of a calendar view by day: ?from_timestamp=&to_timestamp= (ISO), ?user_timezone=",
)
async def calendar_rows(request: Request) -> Response:
    ctx = ctx_of(request)
    try:
        zone = zoneinfo.ZoneInfo(request.query_params.get("user_timezone") or "UTC")
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise errors.QueryInvalid({"user_timezone": [{"error": "A known time zone.", "code": "invalid"}]}) from None
    start, end = _moment(request, "from_timestamp", zone), _moment(request, "to_timestamp", zone)
    if end <= start or end - start > dt.timedelta(days=400):
        raise errors.QueryInvalid(
            {"to_timestamp": [{"error": "After from_timestamp, within 400 days.", "code": "invalid"}]}
        )
    user_field_names = query_bool(request, "user_field_names")
    async with transaction(request) as conn:
        row = await _typed_view(request, conn, "calendar")
        table_fields = await load_fields(conn, row.table_id)
        fieldset = FieldSet(table_fields)
        date_field = fieldset.by_id.get((row.options or {}).get("date_field"))
        if date_field is None:
            raise errors.ViewFeatureNotSupported("Choose the date field of the calendar first.")
        field_type = ctx.field_types.get(date_field.type)
        value = field_type.sql_value(date_field, row_source())
        if has_time(field_type, date_field):
            window = [
                value >= literal(start, DateTime(timezone=True)),
                value < literal(end, DateTime(timezone=True)),
            ]
            day = cast(func.timezone(str(zone), value), Date)
        else:
            window = [
                value >= literal(start.astimezone(zone).date(), Date),
                value < literal(end.astimezone(zone).date(), Date),
            ]
            day = value
        query = RowQuery(
            limit=MAX_CALENDAR_ROWS,
            view_order=[day.asc()],
            conditions=[*view_conditions(row, table_fields, ctx.field_types, ctx.filter_types), *window],
        )
        _, records = await list_rows(
            conn,
            row.table_id,
            await _database_id(conn, row.table_id),
            fieldset,
            ctx.field_types,
            ctx.filter_types,
            query,
            user_field_names=user_field_names,
            with_count=False,
        )
    days: dict[str, Any] = {}
    key = fieldset.api_key(date_field, user_field_names)
    for record in records:
        api_row = row_to_api(record, fieldset, ctx.field_types, user_field_names=user_field_names)
        when = str(api_row.get(key) or "")
        if "T" in when:
            when = dt.datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(zone).date().isoformat()
        bucket = days.setdefault(when[:10], {"count": 0, "results": []})
        bucket["count"] += 1
        bucket["results"].append(api_row)
    return JSONResponse({"rows": days})
