"""Array functions for lookups, links, multiple selects and files (JSONB arrays)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Boolean, case, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..compiler import compile_node, from_stored_json
from ..registry import CompileContext, CompileRule, FunctionDef, Typed
from ..types import BOOLEAN, NUMBER, TEXT, FormulaType, array_of
from ._define import P, define, same_as, simple

FUNCTIONS: list[FunctionDef] = []
C = "array"


def _jsonb(name: str, *args: ColumnElement) -> ColumnElement:
    return sqlx.call(name, *args, type_=JSONB())


def _join(a: ColumnElement, sep: ColumnElement | None = None) -> ColumnElement:
    return sqlx.txt("ncdb_f_array_join", a, sep if sep is not None else sqlx.text_lit(", "))


define(
    FUNCTIONS,
    "ARRAYJOIN",
    [P("array", "array"), P("separator", "text", True)],
    TEXT,
    simple(_join),
    'The items as text, joined with separator (default ", "); empty items are skipped.',
    [("ARRAYJOIN({Tags}, '; ')", "red; green; red; "), ("ARRAYJOIN({Scores})", "1, 2.5, 4")],
    category=C,
)
define(
    FUNCTIONS,
    "JOIN",
    [P("array", "array"), P("separator", "text")],
    TEXT,
    simple(_join),
    "Baserow's name for ARRAYJOIN.",
    [("join({Scores}, '+')", "1+2.5+4")],
    category=C,
)
define(
    FUNCTIONS,
    "ARRAYUNIQUE",
    [P("array", "array")],
    same_as(0),
    simple(lambda a: _jsonb("ncdb_f_array_unique", a)),
    "The items without repeats, in first-seen order.",
    [("ARRAYUNIQUE({Tags})", ["red", "green", ""])],
    category=C,
)
define(
    FUNCTIONS,
    "ARRAYCOMPACT",
    [P("array", "array")],
    same_as(0),
    simple(lambda a: _jsonb("ncdb_f_array_compact", a)),
    "The items without empty ones (empty text and nulls).",
    [("ARRAYCOMPACT({Tags})", ["red", "green", "red"])],
    category=C,
)


def _flat_type(args: list[Typed]) -> FormulaType:
    t = args[0].type
    while t.is_array and t.element is not None and t.element.is_array:
        t = t.element
    return t


define(
    FUNCTIONS,
    "ARRAYFLATTEN",
    [P("array", "array")],
    _flat_type,
    simple(lambda a: _jsonb("ncdb_f_array_flatten", a)),
    "Nested arrays made flat.",
    [("ARRAYFLATTEN({Scores})", [1, "2.5", 4])],
    category=C,
)
define(
    FUNCTIONS,
    "ARRAYSLICE",
    [P("array", "array"), P("start", "number"), P("end", "number", True)],
    same_as(0),
    simple(lambda a, s, e=None: _jsonb("ncdb_f_array_slice", a, s, e if e is not None else sqlx.typed_null(NUMBER))),
    "Items from start to end (1-based, inclusive; negative counts from the end).",
    [("ARRAYSLICE({Tags}, 2, 3)", ["green", "red"]), ("ARRAYSLICE({Scores}, -2)", ["2.5", 4])],
    category=C,
)


def _element_type(args: list[Typed]) -> FormulaType:
    return args[0].type.element or TEXT


def _index(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    return from_stored_json(_jsonb("ncdb_f_array_index", a[0], a[1]), _element_type(typed))


define(
    FUNCTIONS,
    "INDEX",
    [P("array", "array"), P("index", "number")],
    _element_type,
    _index,
    "Baserow: the item at a 0-based index, or empty.",
    [("index({Tags}, 1)", "green"), ("index({Scores}, 1)", "2.5"), ("index({Tags}, 9)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "EVERY",
    [P("array", "array")],
    BOOLEAN,
    simple(lambda a: sqlx.call("ncdb_f_array_bool", a, sqlx.bind(True, BOOLEAN), type_=Boolean())),
    "Baserow: whether every item is true (true for no items).",
    [("every({Flags})", False)],
    category=C,
)
define(
    FUNCTIONS,
    "ANY",
    [P("array", "array")],
    BOOLEAN,
    simple(lambda a: sqlx.call("ncdb_f_array_bool", a, sqlx.bind(False, BOOLEAN), type_=Boolean())),
    "Baserow: whether any item is true.",
    [("any({Flags})", True)],
    category=C,
)


def _file_attr(key: str, t: FormulaType) -> CompileRule:
    def rule(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
        if typed[0].type.is_array:
            return _jsonb("ncdb_f_array_attr", a[0], sqlx.text_lit(key))
        return from_stored_json(a[0].op("->")(sqlx.text_lit(key)), t)

    return rule


def _file_type(t: FormulaType) -> Callable[[list[Typed]], FormulaType]:
    return lambda args: array_of(t) if args[0].type.is_array else t


for _name, _key, _t, _ex in (
    ("GET_FILE_VISIBLE_NAME", "visible_name", TEXT, "photo.png"),
    ("GET_FILE_MIME_TYPE", "mime_type", TEXT, "image/png"),
    ("GET_FILE_SIZE", "size", NUMBER, "2048"),
    ("GET_IMAGE_WIDTH", "image_width", NUMBER, "640"),
    ("GET_IMAGE_HEIGHT", "image_height", NUMBER, "480"),
    ("IS_IMAGE", "is_image", BOOLEAN, True),
):
    define(
        FUNCTIONS,
        _name,
        [P("file", "file")],
        _file_type(_t),
        _file_attr(_key, _t),
        f"Baserow: the {_key.replace('_', ' ')} of a file (index(field, n)), or of every file of a file field.",
        [(f"{_name.lower()}(index({{Files}}, 0))", _ex)],
        category=C,
    )


def _filter(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    items = func.jsonb_array_elements(_jsonb("ncdb_f_arr", a[0])).table_valued("value", with_ordinality="i")
    items = items.render_derived(name="ncdb_item")
    item = from_stored_json(items.c.value, _element_type(typed))
    cond = compile_node(replace(ctx, item=item), typed[1])
    keep = sqlx.to_boolean(cond, typed[1].type)
    agg = func.jsonb_agg(aggregate_order_by(items.c.value, items.c.i), type_=JSONB())
    picked = select(func.coalesce(agg, cast(sqlx.text_lit("[]"), JSONB()), type_=JSONB())).where(keep)
    return case((a[0].is_(None), sqlx.typed_null(typed[0].type)), else_=picked.select_from(items).scalar_subquery())


define(
    FUNCTIONS,
    "FILTER",
    [P("array", "array"), P("condition", "boolean")],
    same_as(0),
    _filter,
    "Baserow: the items for which the condition is true; in the condition, the array itself (written the "
    "same way) stands for one item.",
    [("filter({Scores}, {Scores} > 1)", ["2.5", 4]), ("filter({Tags}, {Tags} != 'red')", ["green", ""])],
    category=C,
    scoped=True,
)
