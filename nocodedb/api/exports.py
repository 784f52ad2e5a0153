"""Export a table or a view as CSV, XLSX, JSON or GeoJSON, streamed (our extension of Baserow's API)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from nocodedb import errors
from nocodedb.api.http import actor_for, ctx_of, path_int, transaction
from nocodedb.api.routing import Routes
from nocodedb.exporting import formats
from nocodedb.exporting.csv_sql import csv_export
from nocodedb.exporting.service import ExportPlan, column_index, pages, plan_export, record_export

routes = Routes()
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
}


def _view_id(request: Request) -> int | None:
    raw = request.query_params.get("view_id")
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**63 - 1:
        raise errors.QueryInvalid({"view_id": [{"error": "A view id is required.", "code": "invalid"}]})
    return int(raw)


def _body(request: Request, plan: ExportPlan, kind: str) -> AsyncIterator[bytes]:
    ctx = ctx_of(request)
    if kind == "csv":
        return csv_export(ctx.engine, plan, ctx.field_types)
    source = pages(ctx.engine, plan, ctx.field_types)
    if kind == "xlsx":
        return formats.xlsx_chunks(plan.header, plan.numeric(), source, plan.name)
    if kind == "json":
        return formats.json_chunks(plan.header, source)
    lat = column_index(plan, request.query_params.get("lat_field"), "lat_field")
    lon = column_index(plan, request.query_params.get("lon_field"), "lon_field")
    return formats.geojson_chunks(plan.header, lat, lon, source)


@routes.add(
    "/api/database/export/table/{table_id:int}/",
    ["GET"],
    "Export a table or a view (view_id): format=csv|xlsx|json|geojson (geojson needs lat_field, lon_field)",
    auth="token",
)
async def export_table(request: Request) -> Response:
    ctx = ctx_of(request)
    kind = request.query_params.get("format", "csv")
    if kind not in MEDIA:
        raise errors.QueryInvalid({"format": [{"error": "One of csv, xlsx, json, geojson.", "code": "invalid_choice"}]})
    async with transaction(request) as conn:
        actor = await actor_for(request, conn, tokens_allowed=True)
        plan = await plan_export(
            conn, ctx.field_types, ctx.filter_types, actor, path_int(request, "table_id"), _view_id(request)
        )
        await record_export(conn, actor, plan, kind)
    body = _body(request, plan, kind)
    stem = re.sub(r"[^\w .-]", "_", plan.name).strip() or "export"
    filename = f"{stem}.{kind}"
    disposition = f'attachment; filename="{filename.encode("ascii", "replace").decode()}"; '
    disposition += f"filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(body, media_type=MEDIA[kind], headers={"Content-Disposition": disposition})
