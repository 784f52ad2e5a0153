"""Small SQL building blocks shared by the compiler and the functions: typed literals, calls to our
ncdb_f_* helpers, conversions between formula types, and allowlist CASEs.

Every Python value reaches SQL as a bound parameter (``literal``), never as SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, Numeric, Text, case, cast, func, literal, null, true
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from .types import FormulaType

TIMESTAMPTZ = TIMESTAMP(timezone=True)
NUMERIC = Numeric(asdecimal=True)

SQL_TYPES: dict[str, TypeEngine[Any]] = {
    "text": Text(),
    "single_select": Text(),
    "number": NUMERIC,
    "boolean": Boolean(),
    "date": Date(),
    "datetime": TIMESTAMPTZ,
    "array": JSONB(),
    "file": JSONB(),
    "blank": Text(),
    "error": Text(),
}


def sql_type(t: FormulaType) -> TypeEngine[Any]:
    return SQL_TYPES[t.kind]


def bind(value: Any, t: FormulaType) -> ColumnElement:
    """A bound parameter, cast so that PostgreSQL never has to guess its type."""
    return cast(literal(value, sql_type(t)), sql_type(t))


def text_lit(value: str) -> ColumnElement:
    return cast(literal(value, Text()), Text())


def num_lit(value: int | Decimal) -> ColumnElement:
    return cast(literal(Decimal(value), NUMERIC), NUMERIC)


def typed_null(t: FormulaType) -> ColumnElement:
    return cast(null(), sql_type(t))


def call(name: str, *args: ColumnElement, type_: TypeEngine[Any]) -> ColumnElement:
    """A call to one of our ncdb_f_* helpers (see support_sql)."""
    assert name.startswith("ncdb_f_"), name
    return getattr(func, name)(*args, type_=type_)


def num(name: str, *args: ColumnElement) -> ColumnElement:
    return call(name, *args, type_=NUMERIC)


def txt(name: str, *args: ColumnElement) -> ColumnElement:
    return call(name, *args, type_=Text())


def utc_date(ts: ColumnElement) -> ColumnElement:
    """The UTC calendar date of a TIMESTAMPTZ (formulas never depend on the session time zone)."""
    return cast(func.timezone(text_lit("UTC"), ts, type_=TIMESTAMP()), Date())


def date_to_ts(d: ColumnElement) -> ColumnElement:
    return func.timezone(text_lit("UTC"), cast(d, TIMESTAMP()), type_=TIMESTAMPTZ)


def to_text(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    kind = t.kind
    if kind in ("text", "single_select"):
        return expr
    if kind == "number":
        return txt("ncdb_f_num_text", expr)
    if kind == "boolean":
        return case((expr, text_lit("true")), (~expr, text_lit("false")), else_=cast(null(), Text()))
    if kind == "date":
        return txt("ncdb_f_date_text", expr)
    if kind == "datetime":
        return txt("ncdb_f_datetime_text", expr)
    if kind == "array":
        return txt("ncdb_f_array_join", expr, text_lit(", "))
    if kind == "file":
        return txt("ncdb_f_elem_text", expr)
    return cast(null(), Text())


def to_number(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    if t.kind == "number":
        return expr
    if t.kind == "boolean":
        return case((expr, num_lit(1)), (~expr, num_lit(0)), else_=cast(null(), NUMERIC))
    return cast(null(), NUMERIC)


def to_boolean(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    """Truthiness as in Airtable: non-zero numbers, non-empty text, any date; empty is false."""
    kind = t.kind
    if kind == "boolean":
        return func.coalesce(expr, False, type_=Boolean())
    if kind == "number":
        return func.coalesce(expr != 0, False, type_=Boolean())
    if kind in ("text", "single_select"):
        return func.coalesce(expr != text_lit(""), False, type_=Boolean())
    if kind == "array":
        return func.coalesce(func.jsonb_array_length(call("ncdb_f_arr", expr, type_=JSONB())) > 0, False)
    if kind in ("blank", "error"):
        return cast(false_lit(), Boolean())
    return expr.is_not(None)


def false_lit() -> ColumnElement:
    return ~true()


def to_datetime(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    if t.kind == "datetime":
        return expr
    if t.kind == "date":
        return date_to_ts(expr)
    if t.kind in ("text", "single_select"):
        return call("ncdb_f_to_timestamptz", expr, type_=TIMESTAMPTZ)
    return cast(null(), TIMESTAMPTZ)


def to_date(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    if t.kind == "date":
        return expr
    if t.kind == "datetime":
        return utc_date(expr)
    if t.kind in ("text", "single_select"):
        return call("ncdb_f_to_date", expr, type_=Date())
    return cast(null(), Date())


def to_json(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    """A JSON value of a formula value, in the stored form (numbers as strings)."""
    kind = t.kind
    if kind in ("array", "file"):
        return expr
    if kind in ("blank", "error"):
        return cast(null(), JSONB())
    if kind == "boolean":
        return func.to_jsonb(expr, type_=JSONB())
    return func.to_jsonb(to_text(expr, t), type_=JSONB())


def choice(expr: ColumnElement, choices: Mapping[str, str], exact: Mapping[str, str] | None) -> ColumnElement:
    """Map a computed unit/format name to its canonical value by a CASE over the allowlist; others -> NULL."""
    whens: list[tuple[ColumnElement, ColumnElement]] = []
    for alias, canonical in (exact or {}).items():
        whens.append((expr == text_lit(alias), text_lit(canonical)))
    lowered = func.lower(expr, type_=Text())
    for alias, canonical in choices.items():
        whens.append((lowered == text_lit(alias), text_lit(canonical)))
    return case(*whens, else_=cast(null(), Text()))


def coerce_to(expr: ColumnElement, src: FormulaType, dst: FormulaType) -> ColumnElement:
    """A value of type src as type dst, where dst is join(src, ...) (IF and SWITCH branches)."""
    if src == dst:
        return expr
    if src.kind in ("blank", "error"):
        return typed_null(dst)
    if dst.kind == "text":
        return to_text(expr, src)
    if dst.kind == "datetime":
        return to_datetime(expr, src)
    return expr
