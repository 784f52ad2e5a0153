"""Totality on PostgreSQL: no well-typed formula raises an SQL error on any row, and materializing a
formula into a JSONB row works as the app will do it."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, column, select, table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

import formula
from formula import FUNCTIONS, FormulaError
from formula.datefmt import COMMON_MOMENT
from formula.printer import quote
from formula.registry import Param

from .sample import SAMPLE_DATA, SAMPLE_FIELDS, evaluate, resolver_for, row_columns, rows_values

FIELD_KINDS: dict[str, list[str]] = {}
for _name, (_id, _t) in SAMPLE_FIELDS.items():
    FIELD_KINDS.setdefault(str(_t), []).append(_name)

# Values a cell may hold: well-formed or not (bad numbers, impossible dates, wrong JSON shapes).
# PostgreSQL jsonb holds no NUL character, so neither can a stored cell.
texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8)
junk = st.one_of(
    st.none(),
    texts,
    st.sampled_from(["1e400", "NaN", "-Infinity", "2024-02-30", "2024-13-01", "12:99", "", "0", "-0.0"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.booleans(),
    st.lists(st.one_of(st.none(), st.integers(-5, 5), texts), max_size=4),
    st.just({"value": "x"}),
)
numbers = st.one_of(st.decimals(min_value=-(10**9), max_value=10**9, places=3).map(str), junk)
dates = st.one_of(st.dates().map(str), junk)
datetimes = st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), junk)


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for _name, (fid, t) in SAMPLE_FIELDS.items():
        kind = t.kind
        strategy = {"number": numbers, "date": dates, "datetime": datetimes}.get(kind, junk)
        data[str(fid)] = draw(strategy)
    return data


def _literal_for(kind: str, draw: st.DrawFn) -> str:
    if kind == "number":
        return draw(st.sampled_from(["0", "1", "-1", "2.5", "1e300", "-7", "100000", "0.001"]))
    if kind == "boolean":
        return draw(st.sampled_from(["TRUE", "FALSE()"]))
    if kind in ("datetime", "date"):
        return draw(st.sampled_from(["'2024-01-31'", "'2024-02-29T10:00:00Z'", "'garbage'", "NOW()"]))
    return quote(draw(texts))


def _field_of(kind: str, draw: st.DrawFn) -> str | None:
    options = {
        "number": FIELD_KINDS["number"],
        "boolean": FIELD_KINDS["boolean"],
        "date": FIELD_KINDS["date"] + FIELD_KINDS["datetime"],
        "datetime": FIELD_KINDS["date"] + FIELD_KINDS["datetime"],
        "array": [n for k, v in FIELD_KINDS.items() if k.startswith("array") for n in v],
        "file": ["Files"],
    }.get(kind, [n for k, v in FIELD_KINDS.items() if not k.startswith("array") for n in v])
    return "{" + draw(st.sampled_from(options)) + "}"


def _arg(param: Param, depth: int, draw: st.DrawFn) -> str:
    if param.choices is not None:
        if draw(st.booleans()):
            pool = [*param.choices, *(param.exact or {})]
            return quote(draw(st.sampled_from(pool)))
        return _expr("text", depth, draw)
    if param.name == "format":
        return quote(draw(st.sampled_from(COMMON_MOMENT)))
    if param.name == "timezone":
        return quote(draw(st.sampled_from(["UTC", "Europe/Paris", "Bad/Zone"])))
    kind = {"any": "scalar", "text": "scalar"}.get(param.accepts, param.accepts)
    return _expr(kind, depth, draw)


# The checker picks each name's variant by dialect; a call drawn for the other variant is simply
# refused at type check (and skipped), like any other ill-typed draw.
CALLABLE = list(FUNCTIONS)


def _expr(kind: str, depth: int, draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 9)) if depth > 0 else draw(st.integers(0, 2))
    if kind in ("array", "file") or choice == 0:
        field = _field_of(kind, draw)
        if field is not None:
            return field
    if choice in (1, 2) and kind not in ("array", "file"):
        return _literal_for(kind, draw)
    if kind == "number" and choice == 3:
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        return f"({_expr('number', depth - 1, draw)} {op} {_expr('number', depth - 1, draw)})"
    if kind in ("scalar", "boolean") and choice == 4:
        op = draw(st.sampled_from(["=", "<", ">=", "!="]))
        return f"({_expr('scalar', depth - 1, draw)} {op} {_expr('scalar', depth - 1, draw)})"
    fn = draw(st.sampled_from(CALLABLE))
    extra = 2 if fn.max_args is None else fn.max_args - fn.min_args
    n = fn.min_args + draw(st.integers(0, extra))
    args = [_arg(fn.param_at(i), depth - 1, draw) for i in range(n)]
    return f"{fn.name}({', '.join(args)})"


@st.composite
def formulas(draw: st.DrawFn) -> str:
    text_ = _expr("scalar", 3, draw)
    if draw(st.booleans()):  # the same formula in Baserow's dialect
        for name in SAMPLE_FIELDS:
            text_ = text_.replace("{" + name + "}", f"field('{name}')")
    return text_


# NCDB_FORMULA_EXAMPLES=5000 for a long hunt; the default keeps the suite fast.
@settings(
    max_examples=int(os.environ.get("NCDB_FORMULA_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(formulas(), st.lists(rows(), min_size=1, max_size=3))
async def test_well_typed_formulas_never_raise(conn: AsyncConnection, text_: str, data: list[dict[str, Any]]) -> None:
    v = rows_values(data)
    try:
        typed = formula.typecheck(formula.parse(text_), resolver_for(v))
    except FormulaError:
        return  # ill-typed (e.g. incompatible IF branches): refused before any SQL exists
    expr = formula.to_stored_json(formula.compile_formula(typed, row_columns(v)), typed.type)
    async with conn.begin_nested():
        await conn.execute(select(expr).select_from(v))


NASTY = [
    "1 / 0",
    "MOD(1, 0)",
    "POWER(10, 100000)",
    "EXP(1e10)",
    "LOG(-1)",
    "SQRT(-4)",
    "REPT(REPT('x', 1000000), 1000000)",
    "LEFT({Name}, -5)",
    "MID({Name}, -1, -1)",
    "REGEX_MATCH({Name}, '(((')",
    "REGEX_REPLACE({Name}, '[', 'x')",
    "REGEX_EXTRACT({Name}, '\\\\')",
    "VALUE('12abc')",
    "DATETIME_PARSE('2024-02-30')",
    "DATEADD({Due}, 1e300, 'years')",
    "DATEADD({Meeting}, 1e15, 'ms')",
    "DATETIME_DIFF('294276-01-01', '-4713-01-01', 'ms')",
    "WORKDAY({Due}, 1e9)",
    "WORKDAY_DIFF('0001-01-01', '9999-12-31')",
    "ROUND(1e300, -1e300)",
    "SUBSTITUTE(REPT('a', 5000000), 'a', 'bbbbbbbbbb')",
    "ARRAYSLICE({Tags}, 1e30, -1e30)",
    "SET_TIMEZONE({Meeting}, {Name})",
    "CEILING(5, 0)",
    "FLOOR(1e300 * 1e10, 0.0001)",
    "IS_SAME({Due}, {Meeting}, {Name})",
    "DATETIME_FORMAT({Due}, {Name})",
    "SUM({Tags}, {Scores}, 1e308, 1e308)",
]


async def test_nasty_formulas_give_empty_not_errors(conn: AsyncConnection) -> None:
    for text_ in NASTY:
        async with conn.begin_nested():
            await evaluate(conn, text_)


async def test_materialize_into_rows_data(conn: AsyncConnection) -> None:
    """The app's recompute: UPDATE rows SET data = data || jsonb_build_object('<id>', value)."""
    await conn.execute(text("CREATE TEMP TABLE f_rows (id integer PRIMARY KEY, data jsonb NOT NULL) ON COMMIT DROP"))
    await conn.execute(
        text("INSERT INTO f_rows VALUES (1, CAST(:a AS jsonb)), (2, CAST(:b AS jsonb))"),
        {"a": '{"2": "3.5", "3": 4}', "b": '{"2": "x", "3": null}'},
    )
    rows = table("f_rows", column("id", Integer), column("data", JSONB))
    fields = [
        formula.ResolvedField(2, "Price", formula.NUMBER, formula.from_stored_json(rows.c.data["2"], formula.NUMBER)),
        formula.ResolvedField(3, "Qty", formula.NUMBER, formula.from_stored_json(rows.c.data["3"], formula.NUMBER)),
    ]
    stored = formula.to_storage("{Price} / Qty", {f.name: f.id for f in fields}.get)
    typed = formula.typecheck(formula.parse_stored(stored), formula.make_resolver(fields))
    value = formula.to_stored_json(formula.compile_formula(typed), typed.type)
    await conn.execute(
        rows.update().values(data=rows.c.data.op("||")(formula_obj("99", value))).where(rows.c.id.in_([1, 2]))
    )
    result = (await conn.execute(text("SELECT id, data -> '99' FROM f_rows ORDER BY id"))).all()
    assert [tuple(r) for r in result] == [(1, "0.875"), (2, None)]  # "x" / empty: division by zero


def formula_obj(key: str, value: Any) -> Any:
    from sqlalchemy import func

    return func.jsonb_build_object(key, value, type_=JSONB)


async def test_stored_json_forms(conn: AsyncConnection) -> None:
    assert await evaluate(conn, "1 / 4") == "0.25"
    assert await evaluate(conn, "{Done}") is True
    assert await evaluate(conn, "{Due}") == "2024-03-15"
    assert await evaluate(conn, "DATEADD({Meeting}, 1, 'days')") == "2024-03-16T14:30:45Z"
    assert await evaluate(conn, "{Scores}") == SAMPLE_DATA["10"]
    assert await evaluate(conn, "ERROR()") is None


async def test_the_deepest_formulas_compile_and_run(conn: AsyncConnection) -> None:
    depth = formula.MAX_DEPTH - 1
    assert await evaluate(conn, "ABS(" * (depth - 1) + "-1" + ")" * (depth - 1)) == "1"
    assert await evaluate(conn, " & ".join(["{Name}"] * depth)) == "Ada Lovelace" * depth
    nested_if = "IF({Done}, " * (depth // 2) + "1" + ", 0)" * (depth // 2)
    assert await evaluate(conn, nested_if) == "1"


async def test_helpers_are_safe_when_the_planner_wants_parallel_workers(conn: AsyncConnection) -> None:
    # EXCEPTION blocks cannot run in parallel workers; unlabelled (parallel unsafe) helpers keep the
    # plan serial even when parallelism is forced.
    version = (await conn.execute(text("SHOW server_version_num"))).scalar_one()
    setting = "debug_parallel_query" if int(version) >= 160000 else "force_parallel_mode"
    await conn.execute(text(f"SET LOCAL {setting} = on"))
    await conn.execute(text("SET LOCAL parallel_setup_cost = 0"))
    for text_ in NASTY:
        async with conn.begin_nested():
            await evaluate(conn, text_)
