"""Compilation: a typed tree -> one SQLAlchemy Core expression (PostgreSQL), plus to_stored_json."""

from __future__ import annotations

from sqlalchemy import Boolean, Text, cast, func, null, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from . import sqlx
from .ast import Binary, FieldRef, Negate, Number, String
from .ast import Boolean as BooleanNode
from .checker import COMPARISONS, TypedFormula, canonical_choice
from .registry import CompileContext, Param, Typed
from .types import BOOLEAN, FormulaType, RowColumns, is_datelike, is_textlike


def compile_formula(typed: TypedFormula, row: RowColumns | None = None) -> ColumnElement:
    """The SQL value of a type-checked formula, typed as ``sqlx.sql_type(typed.type)``."""
    ctx = CompileContext(typed.formula.dialect, row)
    expr = compile_node(ctx, typed.root)
    if typed.type.kind in ("blank", "error"):
        return cast(null(), Text())
    return expr


def to_stored_json(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    """The JSONB value to store for a formula value: text and numbers (as "3.5") are JSON strings,
    booleans JSON booleans, dates "YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:MM:SSZ" (UTC), arrays as they
    are; empty and errors are SQL NULL."""
    return sqlx.to_json(expr, t)


def from_stored_json(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    """The typed SQL value of a stored JSONB value (the inverse of to_stored_json). Total: a value of
    the wrong shape reads as empty. Useful for resolvers: ``from_stored_json(rows.c.data['5'], NUMBER)``."""
    kind = t.kind
    if kind in ("text", "single_select"):
        return sqlx.txt("ncdb_f_elem_text", expr)
    if kind == "number":
        return sqlx.num("ncdb_f_json_numeric", expr)
    if kind == "boolean":
        return sqlx.call("ncdb_f_json_bool", expr, type_=Boolean())
    if kind == "date":
        return sqlx.call("ncdb_f_to_date", sqlx.txt("ncdb_f_elem_text", expr), type_=sqlx.SQL_TYPES["date"])
    if kind == "datetime":
        return sqlx.call("ncdb_f_to_timestamptz", sqlx.txt("ncdb_f_elem_text", expr), type_=sqlx.TIMESTAMPTZ)
    if kind == "array":
        return sqlx.call("ncdb_f_arr_or_null", expr, type_=JSONB())
    if kind == "file":
        return sqlx.call("ncdb_f_obj_or_null", expr, type_=JSONB())
    return cast(null(), Text())


def convert(expr: ColumnElement, t: FormulaType, param: Param) -> ColumnElement:
    """An argument in the form its parameter accepts (see registry.Accepts)."""
    a = param.accepts
    if a == "text":
        return sqlx.to_text(expr, t)
    if a == "number":
        return sqlx.to_number(expr, t)
    if a == "boolean":
        return sqlx.to_boolean(expr, t)
    if a == "datetime":
        return sqlx.to_datetime(expr, t)
    if a == "date":
        return sqlx.to_date(expr, t)
    if t.kind in ("blank", "error"):
        return cast(null(), JSONB()) if a in ("array", "file") else cast(null(), Text())
    return expr


def compile_node(ctx: CompileContext, node: Typed) -> ColumnElement:
    if node.is_item:
        assert ctx.item is not None
        return ctx.item
    n = node.node
    if isinstance(n, Number):
        return sqlx.num_lit(n.value)
    if isinstance(n, String):
        return sqlx.text_lit(n.value)
    if isinstance(n, BooleanNode):
        return sqlx.bind(n.value, BOOLEAN)
    if isinstance(n, FieldRef):
        assert node.field is not None
        return node.field.sql
    if isinstance(n, Negate):
        if node.is_literal:
            return sqlx.num_lit(node.literal)
        inner = node.args[0]
        return -sqlx.to_number(compile_node(ctx, inner), inner.type)
    if isinstance(n, Binary):
        return _binary(ctx, n.op, node.args[0], node.args[1])
    fn = node.func
    assert fn is not None
    sql_args: list[ColumnElement] = []
    for i, arg in enumerate(node.args[:1] if fn.scoped else node.args):
        param = fn.param_at(i)
        if param.choices is not None:
            sql_args.append(_choice(ctx, param, arg))
        else:
            sql_args.append(convert(compile_node(ctx, arg), arg.type, param))
    return fn.compile(ctx, sql_args, list(node.args))


def _choice(ctx: CompileContext, param: Param, arg: Typed) -> ColumnElement:
    if arg.is_literal:
        return sqlx.text_lit(canonical_choice(param, str(arg.literal)))
    text = sqlx.to_text(compile_node(ctx, arg), arg.type)
    return sqlx.choice(text, param.choices or {}, param.exact)


_ARITH = {"+": "ncdb_f_add", "-": "ncdb_f_sub", "*": "ncdb_f_mul", "/": "ncdb_f_div"}


def _binary(ctx: CompileContext, op: str, left: Typed, right: Typed) -> ColumnElement:
    lsql, rsql = compile_node(ctx, left), compile_node(ctx, right)
    if op in COMPARISONS:
        return compare(op, lsql, left.type, rsql, right.type)
    if op == "&" or (op == "+" and (is_textlike(left.type) or is_textlike(right.type))):
        return sqlx.txt("ncdb_f_concat", sqlx.to_text(lsql, left.type), sqlx.to_text(rsql, right.type))
    # An empty number counts as 0 in arithmetic, as in Airtable: {Price} + {Tax} with no tax is the price.
    zero = sqlx.num_lit(0)
    lnum = func.coalesce(sqlx.to_number(lsql, left.type), zero, type_=sqlx.NUMERIC)
    rnum = func.coalesce(sqlx.to_number(rsql, right.type), zero, type_=sqlx.NUMERIC)
    return sqlx.num(_ARITH[op], lnum, rnum)


def compare(op: str, lsql: ColumnElement, lt: FormulaType, rsql: ColumnElement, rt: FormulaType) -> ColumnElement:
    """A comparison that is never empty: comparing with an empty value is false (= BLANK() is a test)."""
    if op == "<>":
        op = "!="
    if lt.kind == "blank" or rt.kind == "blank":
        other, ot = (rsql, rt) if lt.kind == "blank" else (lsql, lt)
        empty = _is_empty(other, ot)
        return empty if op == "=" else (~empty if op == "!=" else sqlx.false_lit())
    if lt.kind == rt.kind == "boolean":
        a, b = lsql, rsql
    elif lt.kind in ("number", "boolean") and rt.kind in ("number", "boolean"):
        a, b = sqlx.to_number(lsql, lt), sqlx.to_number(rsql, rt)
    elif (is_datelike(lt) and (is_datelike(rt) or is_textlike(rt))) or (is_datelike(rt) and is_textlike(lt)):
        a, b = sqlx.to_datetime(lsql, lt), sqlx.to_datetime(rsql, rt)
    else:
        a, b = sqlx.to_text(lsql, lt), sqlx.to_text(rsql, rt)
        if op in ("=", "!="):
            # For text, empty and "" are the same.
            a = func.coalesce(a, sqlx.text_lit(""), type_=Text())
            b = func.coalesce(b, sqlx.text_lit(""), type_=Text())
    result = {
        "=": lambda: a == b,
        "!=": lambda: a != b,
        "<": lambda: a < b,
        ">": lambda: a > b,
        "<=": lambda: a <= b,
        ">=": lambda: a >= b,
    }[op]()
    return func.coalesce(result, False, type_=Boolean())


def _is_empty(expr: ColumnElement, t: FormulaType) -> ColumnElement:
    if t.kind in ("text", "single_select"):
        return or_(expr.is_(None), expr == sqlx.text_lit(""))
    if t.is_array:
        return or_(expr.is_(None), func.jsonb_array_length(sqlx.call("ncdb_f_arr", expr, type_=JSONB())) == 0)
    if t.kind in ("blank", "error"):
        return sqlx.bind(True, BOOLEAN)
    return expr.is_(None)


__all__ = ["compare", "compile_formula", "from_stored_json", "to_stored_json"]
