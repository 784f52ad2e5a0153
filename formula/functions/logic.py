"""Logical functions: IF, SWITCH, AND, OR, ..., plus Baserow's comparison functions and empty tests."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, and_, case, cast, func, null, or_, true
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..compiler import compare
from ..errors import Problem
from ..registry import CompileContext, FunctionDef, Typed
from ..types import BLANK, BOOLEAN, ERROR, FormulaType, join
from ._define import P, define, simple

FUNCTIONS: list[FunctionDef] = []
C = "logic"


def _join_all(types: list[FormulaType]) -> FormulaType | None:
    out: FormulaType | None = BLANK
    for t in types:
        out = join(out, t) if out is not None else None
    return out


def _branch_types(args: list[Typed], first: int, step: int, tail: bool) -> list[FormulaType]:
    picked = [a.type for a in args[first::step]]
    if tail:
        picked.append(args[-1].type)
    return picked


def _if_check(args: list[Typed]) -> Problem | None:
    if _join_all([a.type for a in args[1:]]) is None:
        return Problem(
            "results_types_differ",
            f"the two results must have compatible types, got {args[1].type} and {args[2].type}",
        )
    return None


def _if_type(args: list[Typed]) -> FormulaType:
    return _join_all([a.type for a in args[1:]]) or BLANK


def _if(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    rt = _if_type(typed)
    then = sqlx.coerce_to(a[1], typed[1].type, rt)
    other = sqlx.coerce_to(a[2], typed[2].type, rt) if len(a) > 2 else sqlx.typed_null(rt)
    return case((a[0], then), else_=other)


define(
    FUNCTIONS,
    "IF",
    [P("condition", "boolean"), P("then", "any"), P("else", "any", True)],
    _if_type,
    _if,
    "then when the condition is true (non-zero, non-empty), else the else value (default empty).",
    [("IF({Price} > 3, 'dear', 'cheap')", "dear"), ("IF({Empty}, 1, 2)", "2"), ("IF(FALSE(), 1)", None)],
    category=C,
    check=_if_check,
)


def _switch_results(args: list[Typed]) -> list[FormulaType]:
    n = len(args) - 1
    types = [args[i].type for i in range(2, len(args), 2)]
    if n % 2 == 1:
        types.append(args[-1].type)
    return types


def _switch_type(args: list[Typed]) -> FormulaType:
    return _join_all(_switch_results(args)) or BLANK


def _switch_check(args: list[Typed]) -> Problem | None:
    if len(args) < 3:
        return Problem("switch_arguments", "expects an expression and at least one pattern and result")
    if _join_all(_switch_results(args)) is None:
        return Problem("results_types_differ", "all results must have compatible types")
    return None


def _switch(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    rt = _switch_type(typed)
    whens = []
    for i in range(1, len(a) - 1, 2):
        cond = compare("=", a[0], typed[0].type, a[i], typed[i].type)
        whens.append((cond, sqlx.coerce_to(a[i + 1], typed[i + 1].type, rt)))
    default = sqlx.coerce_to(a[-1], typed[-1].type, rt) if (len(a) - 1) % 2 == 1 else sqlx.typed_null(rt)
    return case(*whens, else_=default)


define(
    FUNCTIONS,
    "SWITCH",
    [P("expression", "scalar"), P("pattern, result", "any")],
    _switch_type,
    _switch,
    "The result of the first pattern equal to the expression, else the last argument when the count is "
    "even (a default), else empty.",
    [("SWITCH({Status}, 'Done', 1, 'In progress', 2, 0)", "2"), ("SWITCH(3, 1, 'one')", None)],
    category=C,
    variadic=True,
    check=_switch_check,
)
define(
    FUNCTIONS,
    "AND",
    [P("condition", "boolean")],
    BOOLEAN,
    simple(lambda *xs: and_(true(), *xs)),
    "Whether every condition is true.",
    [("AND({Done}, {Price} > 1)", True), ("AND(1, 0)", False)],
    category=C,
    variadic=True,
)
define(
    FUNCTIONS,
    "OR",
    [P("condition", "boolean")],
    BOOLEAN,
    simple(lambda *xs: or_(sqlx.false_lit(), *xs)),
    "Whether any condition is true.",
    [("OR({Empty}, 0)", False), ("OR(0, 'x')", True)],
    category=C,
    variadic=True,
)
define(
    FUNCTIONS,
    "XOR",
    [P("condition", "boolean")],
    BOOLEAN,
    simple(lambda *xs: sum((cast(x, Integer()) for x in xs), start=cast(sqlx.num_lit(0), Integer())) % 2 == 1),
    "Whether an odd number of the conditions are true.",
    [("XOR(1, 1, 1)", True), ("XOR(TRUE, TRUE)", False)],
    category=C,
    variadic=True,
)
define(
    FUNCTIONS,
    "NOT",
    [P("condition", "boolean")],
    BOOLEAN,
    simple(lambda x: ~x),
    "The opposite.",
    [("NOT({Done})", False)],
    category=C,
)
define(
    FUNCTIONS,
    "TRUE",
    [],
    BOOLEAN,
    simple(lambda: sqlx.bind(True, BOOLEAN)),
    "True.",
    [("TRUE()", True)],
    category=C,
)
define(
    FUNCTIONS,
    "FALSE",
    [],
    BOOLEAN,
    simple(lambda: sqlx.bind(False, BOOLEAN)),
    "False.",
    [("FALSE()", False)],
    category=C,
)
define(
    FUNCTIONS,
    "BLANK",
    [],
    BLANK,
    simple(lambda: cast(null(), sqlx.SQL_TYPES["text"])),
    "An empty value; it fits anywhere. {Field} = BLANK() tests for empty.",
    [("BLANK()", None), ("IF({Empty} = BLANK(), 'none', 'some')", "none")],
    category=C,
)
define(
    FUNCTIONS,
    "ERROR",
    [P("message", "text", True)],
    ERROR,
    simple(lambda *m: cast(null(), sqlx.SQL_TYPES["text"])),
    "An error value (stored as empty).",
    [("ERROR()", None)],
    category=C,
)


def _iserror(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    if typed[0].type.kind == "error":
        return sqlx.bind(True, BOOLEAN)
    return a[0].is_(None)


define(
    FUNCTIONS,
    "ISERROR",
    [P("value", "any")],
    BOOLEAN,
    _iserror,
    "Whether the value is an error. Errors are computed as empty, so this is true for any empty result "
    "(IF(ISERROR({A} / {B}), 0, {A} / {B}) works as in Airtable).",
    [("ISERROR(1 / 0)", True), ("ISERROR(ERROR())", True), ("ISERROR({Price})", False)],
    category=C,
)


def _empty(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return compare("=", a[0], typed[0].type, cast(null(), sqlx.SQL_TYPES["text"]), BLANK)


define(
    FUNCTIONS,
    "ISBLANK",
    [P("value", "any")],
    BOOLEAN,
    _empty,
    'Whether the value is empty ("" and an empty array count as empty).',
    [("isblank({Empty})", True), ("isblank('')", True), ("isblank({Name})", False)],
    category=C,
)
define(
    FUNCTIONS,
    "IS_NULL",
    [P("value", "any")],
    BOOLEAN,
    simple(lambda x: func.coalesce(x.is_(None), True, type_=Boolean())),
    'Whether the value is empty (SQL NULL; "" is not null).',
    [("is_null({Empty})", True), ("is_null('')", False)],
    category=C,
)


def _when_empty_type(args: list[Typed]) -> FormulaType:
    return _join_all([a.type for a in args]) or BLANK


def _when_empty(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    rt = _when_empty_type(typed)
    empty = _empty(ctx, a[:1], typed[:1])
    return case((empty, sqlx.coerce_to(a[1], typed[1].type, rt)), else_=sqlx.coerce_to(a[0], typed[0].type, rt))


define(
    FUNCTIONS,
    "WHEN_EMPTY",
    [P("value", "any"), P("fallback", "any")],
    _when_empty_type,
    _when_empty,
    "value, or fallback when value is empty.",
    [("when_empty({Empty}, 'n/a')", "n/a"), ("when_empty({Name}, 'n/a')", "Ada Lovelace")],
    category=C,
    check=lambda args: (
        None
        if _join_all([a.type for a in args])
        else Problem("results_types_differ", "value and fallback types differ")
    ),
)
define(
    FUNCTIONS,
    "ERROR_TO_NULL",
    [P("value", "any")],
    lambda args: args[0].type,
    simple(lambda x: x),
    "The value, with errors as empty (they always are here; for Baserow compatibility).",
    [("error_to_null(1 / 0)", None)],
    category=C,
)

for _name, _op in (
    ("EQUAL", "="),
    ("NOT_EQUAL", "!="),
    ("GREATER_THAN", ">"),
    ("GREATER_THAN_OR_EQUAL", ">="),
    ("LESS_THAN", "<"),
    ("LESS_THAN_OR_EQUAL", "<="),
):
    define(
        FUNCTIONS,
        _name,
        [P("a", "scalar"), P("b", "scalar")],
        BOOLEAN,
        lambda ctx, a, t, op=_op: compare(op, a[0], t[0].type, a[1], t[1].type),
        f"Baserow's function form of a {_op} b.",
        [(f"{_name.lower()}(2, 1)", _op in ("!=", ">", ">="))],
        category=C,
    )
