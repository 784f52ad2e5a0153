"""The formula editor's calls: check a formula without saving it, the function list, and the preview
of what a field update would do to its values (the warning before a type change)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, read_model, transaction
from nocodedb.api.models import FieldPatch
from nocodedb.api.routing import Routes
from nocodedb.services import field_preview, formula_check

routes = Routes()


class FormulaToType(BaseModel):
    # Not stripped: error positions must point into the text exactly as the person typed it.
    model_config = ConfigDict(extra="forbid")
    formula: str = Field(max_length=100_000)
    name: str | None = Field(default=None, max_length=255)


@routes.add(
    "/api/database/formula/{table_id:int}/type/",
    ["POST"],
    "The type a formula would have in this table, or its error with the position (nothing is saved)",
    body=FormulaToType,
)
async def formula_type(request: Request) -> Response:
    body = await read_model(request, FormulaToType)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await formula_check.check_formula(
            conn, ctx_of(request).field_types, actor, path_int(request, "table_id"), body.formula, body.name
        )
    return JSONResponse(result)


@routes.add("/api/database/formula/functions/", ["GET"], "The formula functions with their help and examples")
async def formula_functions(request: Request) -> Response:
    async with transaction(request) as conn:
        await actor_for(request, conn)
    return JSONResponse(formula_check.function_list())


@routes.add(
    "/api/database/fields/{field_id:int}/type-change-preview/",
    ["POST"],
    "How many values a field update (the PATCH body) would empty or change, with examples (nothing is saved)",
    body=FieldPatch,
)
async def type_change_preview(request: Request) -> Response:
    body = await read_model(request, FieldPatch)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await field_preview.preview_field_update(
            conn, ctx_of(request).field_types, actor, path_int(request, "field_id"), body.model_dump(exclude_unset=True)
        )
    return JSONResponse(result)
