"""Import files: preview (nothing written), into a new table, into an existing table. Imports run as jobs.

Input is either multipart (a `file` part plus form fields) or a JSON body with the file as `text`
(pasted cells, CSV or JSON text). Form fields: format, sheet, delimiter, database_id (preview: propose
links), name and columns (new table), mapping and upsert_field (existing table); columns and mapping are
JSON text in multipart.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors, jobs
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, transaction, validation_detail
from nocodedb.api.routing import Routes
from nocodedb.importing import existing, service
from nocodedb.importing.reader import Source, open_source
from nocodedb.services.actor import database_scope, table_scope

routes = Routes()
P = "/api/database/import"


def _too_large(limit: int) -> errors.APIError:
    return errors.FileTooLarge(f"The file may have at most {limit} bytes.")


async def _input(request: Request) -> tuple[bytes, str | None, dict[str, Any]]:
    """(file bytes, file name, the other fields) from multipart or JSON; bounded by max_import_bytes."""
    limit = ctx_of(request).settings.max_import_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (declared.isascii() and declared.isdigit()) and int(declared) > limit + 1024 * 1024:
        raise _too_large(limit)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=20) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise errors.RequestBodyInvalid({"file": [{"error": "A file is required.", "code": "required"}]})
            data = await upload.read(limit + 1)
            filename = upload.filename
            fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        if len(data) > limit:
            raise _too_large(limit)
        for key in ("columns", "mapping"):
            if key in fields:
                try:
                    fields[key] = orjson.loads(fields[key])
                except orjson.JSONDecodeError:
                    problem = {"error": "JSON is required.", "code": "invalid"}
                    raise errors.RequestBodyInvalid({key: [problem]}) from None
        _check_fields(fields)
        return data, filename, fields
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + 1024 * 1024:
            raise _too_large(limit)
    try:
        raw = orjson.loads(bytes(body))
    except orjson.JSONDecodeError:
        raise errors.RequestBodyInvalid("The body is multipart with a file, or JSON with `text`.") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise errors.RequestBodyInvalid({"text": [{"error": "The file's content as text.", "code": "required"}]})
    _check_fields(raw)
    data = raw.pop("text").encode()
    if len(data) > limit:
        raise _too_large(limit)
    raw.setdefault("format", "paste")
    return data, None, raw


class ImportFields(BaseModel):
    """What an import request may carry besides the file: checked before any job starts."""

    model_config = ConfigDict(extra="forbid", strict=True)
    text: str | None = None
    format: Literal["csv", "xlsx", "json", "paste"] | None = None
    name: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    database_id: int | str | None = None
    columns: list[dict[str, Any]] | None = None
    mapping: dict[str, int | str | None] | None = None
    upsert_field: int | str | None = None


def _check_fields(fields: dict[str, Any]) -> None:
    try:
        ImportFields.model_validate(fields)
    except ValidationError as exc:
        raise errors.RequestBodyInvalid(validation_detail(exc)) from None


def _source(data: bytes, filename: str | None, fields: dict[str, Any]) -> Source:
    def text(key: str) -> str | None:
        value = fields.get(key)
        return value if isinstance(value, str) and value else None

    return open_source(data, text("format"), filename=filename, sheet=text("sheet"), delimiter=text("delimiter"))


def _int(fields: dict[str, Any], key: str) -> int | None:
    value = fields.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (value.isascii() and value.isdigit()) and len(value) < 19:
        return int(value)
    raise errors.RequestBodyInvalid({key: [{"error": "An id is required.", "code": "invalid"}]})


@routes.add(P + "/preview/", ["POST"], "Preview an import: detected columns, proposed types, sample rows")
async def preview(request: Request) -> Response:
    ctx = ctx_of(request)
    data, filename, fields = await _input(request)
    source = _source(data, filename, fields)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        actor.require_user()
        result = await service.preview(conn, ctx.field_types, actor, source, _int(fields, "database_id"))
    return JSONResponse(result)


@routes.add(
    P + "/table/database/{database_id:int}/",
    ["POST"],
    "Import a file into a new table (name, columns confirmed from the preview): answers a job to poll",
)
async def import_new(request: Request) -> Response:
    ctx = ctx_of(request)
    data, filename, fields = await _input(request)
    source = _source(data, filename, fields)
    database_id = path_int(request, "database_id")
    name = fields.get("name") or (filename or "Import").rsplit(".", 1)[0]
    if not isinstance(name, str) or len(name.strip()) > 255 or not name.strip():
        raise errors.RequestBodyInvalid({"name": [{"error": "A name of 1 to 255 characters.", "code": "invalid"}]})
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await database_scope(conn, actor, database_id, "builder")
        job_id = await jobs.create_job(conn, actor, "import_table")

    async def work(conn: Any, progress: jobs.Progress) -> dict[str, Any]:
        return await service.import_new_table(
            conn,
            ctx.field_types,
            ctx.filter_types,
            actor,
            database_id,
            name.strip(),
            source,
            fields.get("columns"),
            progress,
        )

    jobs.start(ctx.engine, job_id, work)
    return JSONResponse({"id": job_id, "type": "import_table", "state": "pending", "progress_percentage": 0})


@routes.add(
    P + "/table/{table_id:int}/",
    ["POST"],
    "Import a file into an existing table (mapping column -> field, optional upsert_field): answers a job",
)
async def import_existing(request: Request) -> Response:
    ctx = ctx_of(request)
    data, filename, fields = await _input(request)
    source = _source(data, filename, fields)
    table_id = path_int(request, "table_id")
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await table_scope(conn, actor, table_id, minimum="editor", operation="create")
        job_id = await jobs.create_job(conn, actor, "import_rows")

    async def work(conn: Any, progress: jobs.Progress) -> dict[str, Any]:
        return await existing.import_into_table(
            conn,
            ctx.field_types,
            ctx.filter_types,
            actor,
            table_id,
            source,
            fields.get("mapping"),
            fields.get("upsert_field"),
            progress,
        )

    jobs.start(ctx.engine, job_id, work)
    return JSONResponse({"id": job_id, "type": "import_rows", "state": "pending", "progress_percentage": 0})
