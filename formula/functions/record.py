"""Record functions: they read the row's own columns (RowColumns), given to compile_formula."""

from __future__ import annotations

from sqlalchemy import Text, cast
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..errors import FormulaError
from ..registry import CompileContext, FunctionDef, Typed
from ..types import DATETIME, NUMBER, TEXT, RowColumns
from ._define import P, define

FUNCTIONS: list[FunctionDef] = []
C = "record"


def _row(ctx: CompileContext, name: str) -> RowColumns:
    if ctx.row is None:
        raise FormulaError(
            f"{name}() needs the row's columns: pass RowColumns to compile_formula",
            code="needs_row",
            params={"function": name},
        )
    return ctx.row


def _record_id(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return cast(_row(ctx, "RECORD_ID").id, Text())


def _row_id(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return cast(_row(ctx, "ROW_ID").id, sqlx.NUMERIC)


def _created(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return _row(ctx, "CREATED_TIME").created_at


def _modified(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return _row(ctx, "LAST_MODIFIED_TIME").updated_at


define(
    FUNCTIONS,
    "RECORD_ID",
    [],
    TEXT,
    _record_id,
    "The row's id, as text.",
    [("RECORD_ID()", "42")],
    category=C,
    needs_row=True,
)
define(
    FUNCTIONS,
    "ROW_ID",
    [],
    NUMBER,
    _row_id,
    "Baserow: the row's id, as a number.",
    [("row_id() + 1", "43")],
    category=C,
    needs_row=True,
)
define(
    FUNCTIONS,
    "CREATED_TIME",
    [],
    DATETIME,
    _created,
    "When the row was created.",
    [("CREATED_TIME()", "2024-01-02T03:04:05Z")],
    category=C,
    needs_row=True,
)
define(
    FUNCTIONS,
    "LAST_MODIFIED_TIME",
    [P("fields", "any", True)],
    DATETIME,
    _modified,
    "When the row was last changed. Field arguments are accepted and ignored: the time is the row's.",
    [("LAST_MODIFIED_TIME()", "2024-02-03T04:05:06Z")],
    category=C,
    variadic=True,
    needs_row=True,
)
