"""Numeric functions. Every operation that can fail (division by zero, overflow, logarithm of a
negative number, ...) goes through an ncdb_f_* helper that gives empty instead of an SQL error."""

from __future__ import annotations

from sqlalchemy import Boolean, cast, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..registry import CompileContext, CompileRule, FunctionDef, Typed
from ..types import BOOLEAN, NUMBER
from ._define import P, define, simple

FUNCTIONS: list[FunctionDef] = []
C = "number"
N = sqlx.num
lit = sqlx.num_lit


def _opt(value: ColumnElement | None, default: int) -> ColumnElement:
    return value if value is not None else lit(default)


define(
    FUNCTIONS,
    "ABS",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: func.abs(n, type_=sqlx.NUMERIC)),
    "The absolute value.",
    [("ABS(-2.5)", "2.5")],
    category=C,
)
define(
    FUNCTIONS,
    "CEILING",
    [P("number", "number"), P("significance", "number", True)],
    NUMBER,
    simple(lambda n, s=None: N("ncdb_f_ceiling", n, _opt(s, 1))),
    "The nearest multiple of significance (default 1) at or above the number.",
    [("CEILING(2.1)", "3"), ("CEILING(7, 5)", "10")],
    category=C,
)
define(
    FUNCTIONS,
    "CEIL",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_ceiling", n, lit(1))),
    "The smallest integer at or above the number (Baserow).",
    [("ceil(1.2)", "2")],
    category=C,
)
define(
    FUNCTIONS,
    "FLOOR",
    [P("number", "number"), P("significance", "number", True)],
    NUMBER,
    simple(lambda n, s=None: N("ncdb_f_floor", n, _opt(s, 1))),
    "The nearest multiple of significance (default 1) at or below the number.",
    [("FLOOR(2.9)", "2"), ("FLOOR(7, 5)", "5")],
    category=C,
)
define(
    FUNCTIONS,
    "ROUND",
    [P("number", "number"), P("places", "number", True)],
    NUMBER,
    simple(lambda n, p=None: N("ncdb_f_round", n, _opt(p, 0))),
    "Rounds half away from zero to places decimals (default 0; negative places round to tens, ...).",
    [("ROUND(2.345, 2)", "2.35"), ("ROUND(-2.5)", "-3"), ("ROUND(1234, -2)", "1200")],
    category=C,
)
define(
    FUNCTIONS,
    "ROUNDUP",
    [P("number", "number"), P("places", "number", True)],
    NUMBER,
    simple(lambda n, p=None: N("ncdb_f_roundup", n, _opt(p, 0))),
    "Rounds away from zero.",
    [("ROUNDUP(2.341, 2)", "2.35"), ("ROUNDUP(-2.1)", "-3")],
    category=C,
)
define(
    FUNCTIONS,
    "ROUNDDOWN",
    [P("number", "number"), P("places", "number", True)],
    NUMBER,
    simple(lambda n, p=None: N("ncdb_f_trunc", n, _opt(p, 0))),
    "Rounds toward zero.",
    [("ROUNDDOWN(2.349, 2)", "2.34"), ("ROUNDDOWN(-2.9)", "-2")],
    category=C,
)
define(
    FUNCTIONS,
    "TRUNC",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_trunc", n, lit(0))),
    "The integer part, toward zero (Baserow).",
    [("trunc(-2.7)", "-2")],
    category=C,
)
define(
    FUNCTIONS,
    "INT",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_floor", n, lit(1))),
    "Airtable: the greatest integer at or below the number (INT(-2.5) is -3).",
    [("INT(2.7)", "2"), ("INT(-2.5)", "-3")],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "INT",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_trunc", n, lit(0))),
    "Baserow: the integer part, toward zero (int(-2.5) is -2).",
    [("int(field('Price'))", "3"), ("int(-2.5 + field('Qty') * 0)", "-2")],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "EVEN",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_even", n)),
    "Airtable: rounds away from zero to the nearest even integer.",
    [("EVEN(1.5)", "2"), ("EVEN(3)", "4"), ("EVEN(-1)", "-2")],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "ODD",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_odd", n)),
    "Airtable: rounds away from zero to the nearest odd integer.",
    [("ODD(2)", "3"), ("ODD(-0.5)", "-1"), ("ODD(1)", "1")],
    category=C,
    available="airtable",
)


def _is_even(n: ColumnElement, want: int) -> ColumnElement:
    return func.coalesce(N("ncdb_f_mod", n, lit(2)) == lit(want), False, type_=Boolean())


define(
    FUNCTIONS,
    "EVEN",
    [P("number", "number")],
    BOOLEAN,
    simple(lambda n: _is_even(n, 0)),
    "Baserow: whether the number is even.",
    [("even(field('Qty'))", True)],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "ODD",
    [P("number", "number")],
    BOOLEAN,
    simple(lambda n: _is_even(n, 1)),
    "Baserow: whether the number is odd.",
    [("odd(field('Qty'))", False)],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "EXP",
    [P("power", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_exp", n)),
    "e raised to the power.",
    [("ROUND(EXP(1), 4)", "2.7183")],
    category=C,
)
define(
    FUNCTIONS,
    "LN",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_ln", n)),
    "The natural logarithm; empty for zero or negative numbers.",
    [("ROUND(LN(EXP(2)), 6)", "2")],
    category=C,
)
define(
    FUNCTIONS,
    "LOG",
    [P("number", "number"), P("base", "number", True)],
    NUMBER,
    simple(lambda n, b=None: N("ncdb_f_log", _opt(b, 10), n)),
    "Airtable: LOG(number, base=10).",
    [("LOG(1000)", "3"), ("LOG(8, 2)", "3")],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "LOG",
    [P("base", "number"), P("number", "number")],
    NUMBER,
    simple(lambda b, n: N("ncdb_f_log", b, n)),
    "Baserow: log(base, number).",
    [("log(2, field('Qty') * 2)", "3")],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "MOD",
    [P("number", "number"), P("divisor", "number")],
    NUMBER,
    simple(lambda a, b: N("ncdb_f_mod", a, b)),
    "The remainder, with the sign of the divisor; empty when dividing by zero.",
    [("MOD(7, 3)", "1"), ("MOD(-7, 3)", "2"), ("MOD(1, 0)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "POWER",
    [P("base", "number"), P("power", "number")],
    NUMBER,
    simple(lambda a, b: N("ncdb_f_pow", a, b)),
    "base raised to power; empty on overflow.",
    [("POWER(2, 10)", "1024"), ("POWER(10, 400)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "SQRT",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: N("ncdb_f_sqrt", n)),
    "The square root; empty for negative numbers.",
    [("SQRT(16)", "4"), ("SQRT(-1)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "SIGN",
    [P("number", "number")],
    NUMBER,
    simple(lambda n: func.sign(n, type_=sqlx.NUMERIC)),
    "-1, 0 or 1.",
    [("sign(-3)", "-1")],
    category=C,
)
define(
    FUNCTIONS,
    "VALUE",
    [P("text", "text")],
    NUMBER,
    simple(lambda t: N("ncdb_f_value", t)),
    'The number in a text, ignoring currency signs, spaces and thousands separators; "50%" is 0.5. '
    "Empty when the text is not a number.",
    [('VALUE("$1,000.50")', "1000.5"), ('VALUE("abc")', None), ('VALUE("50%")', "0.5")],
    category=C,
)
define(
    FUNCTIONS,
    "TONUMBER",
    [P("text", "text")],
    NUMBER,
    simple(lambda t: N("ncdb_f_to_numeric", t)),
    "The number in a text (strict), or empty (Baserow).",
    [("tonumber('12.50')", "12.5")],
    category=C,
)
for _name, _helper, _doc, _result in (
    ("ADD", "ncdb_f_add", "a + b", "9"),
    ("MINUS", "ncdb_f_sub", "a - b", "3"),
    ("MULTIPLY", "ncdb_f_mul", "a * b", "18"),
    ("DIVIDE", "ncdb_f_div", "a / b; empty when b is 0", "2"),
):
    define(
        FUNCTIONS,
        _name,
        [P("a", "number"), P("b", "number")],
        NUMBER,
        simple(lambda a, b, h=_helper: N(h, a, b)),
        f"Baserow's function form of {_doc}.",
        [(f"{_name.lower()}(6, 3)", _result)],
        category=C,
    )


# Aggregates take any mix of numbers and arrays (lookups): every argument becomes a JSON array and the
# arrays are joined, then one helper aggregates (it reads numbers stored as JSON numbers or strings).
def _as_json_array(arg: ColumnElement, t: Typed) -> ColumnElement:
    if t.type.is_array:
        return sqlx.call("ncdb_f_arr", arg, type_=JSONB())
    if t.type.kind in ("blank", "error"):
        return cast(sqlx.text_lit("[]"), JSONB())
    if t.type.kind == "number":
        return func.jsonb_build_array(func.to_jsonb(arg), type_=JSONB())
    return func.jsonb_build_array(sqlx.to_json(arg, t.type), type_=JSONB())


def aggregate(kind: str) -> CompileRule:
    def rule(ctx: CompileContext, args: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
        parts = [_as_json_array(a, t) for a, t in zip(args, typed, strict=True)]
        joined = parts[0]
        for p in parts[1:]:
            joined = joined.op("||")(p)
        return N("ncdb_f_array_agg_num", joined, sqlx.text_lit(kind))

    return rule


_AGG_DOCS = {
    "SUM": (
        "sum",
        "The sum of the numbers (arrays count item by item; empty counts as 0).",
        [("SUM(1, 2, 3)", "6"), ("SUM({Scores})", "7.5"), ("SUM({Scores}, 1)", "8.5")],
    ),
    "AVERAGE": (
        "avg",
        "The mean of the numbers; empty values are skipped.",
        [("AVERAGE(1, 2, 6)", "3"), ("AVERAGE({Scores}, {Missing})", "2.5")],
    ),
    "AVG": ("avg", "Baserow's name for AVERAGE.", [("avg({Scores})", "2.5")]),
    "MAX": ("max", "The largest number.", [("MAX(1, 5, 3)", "5"), ("MAX({Scores})", "4")]),
    "MIN": ("min", "The smallest number.", [("MIN(1, 5, 3)", "1"), ("MIN({Scores})", "1")]),
    "COUNTALL": ("countall", "How many values, empty ones included.", [("COUNTALL({Tags})", "4")]),
    "COUNTA": (
        "counta",
        "How many values are not empty.",
        [("COUNTA({Tags})", "3"), ('COUNTA(1, "", 3)', "2")],
    ),
    "STDDEV_POP": (
        "stddev_pop",
        "The population standard deviation.",
        [("stddev_pop(2, 4, 4, 4, 5, 5, 7, 9)", "2")],
    ),
    "STDDEV_SAMPLE": (
        "stddev_sample",
        "The sample standard deviation.",
        [("round(stddev_sample(1, 2, 3, 4), 4)", "1.291")],
    ),
    "VARIANCE_POP": (
        "variance_pop",
        "The population variance.",
        [("variance_pop(2, 4, 4, 4, 5, 5, 7, 9)", "4")],
    ),
    "VARIANCE_SAMPLE": (
        "variance_sample",
        "The sample variance.",
        [("round(variance_sample(1, 2, 3, 4), 4)", "1.6667")],
    ),
}
for _name, (_kind, _doc, _ex) in _AGG_DOCS.items():
    define(FUNCTIONS, _name, [P("values", "any")], NUMBER, aggregate(_kind), _doc, _ex, category=C, variadic=True)
define(
    FUNCTIONS,
    "COUNT",
    [P("values", "any")],
    NUMBER,
    aggregate("count"),
    "Airtable: how many of the values are numbers.",
    [("COUNT(1, 'a', 3)", "2"), ("COUNT({Scores})", "3")],
    category=C,
    variadic=True,
    available="airtable",
)
define(
    FUNCTIONS,
    "COUNT",
    [P("values", "array")],
    NUMBER,
    aggregate("countall"),
    "Baserow: how many items a lookup or link field has.",
    [("count(field('Tags'))", "4")],
    category=C,
    available="baserow",
)
for _name, _fn in (("GREATEST", "max"), ("LEAST", "min")):
    define(
        FUNCTIONS,
        _name,
        [P("a", "any"), P("b", "any")],
        NUMBER,
        aggregate(_fn),
        f"Baserow: the {'larger' if _fn == 'max' else 'smaller'} of the numbers.",
        [(f"{_name.lower()}(1, 2)", "2" if _fn == "max" else "1")],
        category=C,
        variadic=True,
    )

__all__ = ["FUNCTIONS"]
