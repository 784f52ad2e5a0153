"""Each exported cell's text computed by PostgreSQL: the same text as `cell_text(field_type.to_api(stored))`.

This is not the field types' `text_sql`: that one is display text for search (dates in the field's format,
durations as h:mm), while a CSV export writes the API value as text (ISO dates, seconds). Byte equality with
the Python writer is checked for every type by tests/importing/test_export_sql_text.py.

A type without an expression here (None) makes the whole export take the Python path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal, literal_column, select, true
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB, aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry
from fields.dates import include_time, zone_name
from fields.select import lookup_text
from fields.select_options import value_map
from nocodedb.db.schema import rows, users

Sql = ColumnElement[Any]
# How deep the generic text follows lists nested inside a value (a link's value is the linked row's primary
# value: a list when the primary is a list formula). Lookups of links of lookups nest through value_text,
# not through this. Python's cell_text has no bound: a list nested deeper, or a dict in a dict in a dict,
# would be written "" here (no stored cell has that shape).
DEPTH = 2
TEXT_LIKE = {"text", "long_text", "url", "email", "phone_number", "uuid"}


def _text(j: Sql) -> Sql:
    """The text of a jsonb scalar (strings unquoted), NULL for JSON null."""
    return j.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))


def _typeof(j: Sql) -> Sql:
    return func.jsonb_typeof(j)


def _number(j: Sql) -> Sql:
    """str() of the number orjson reads: an int as written, else a float's shortest repr ("5.0", "0.1").

    float8's text is also the shortest round-trip form; only its missing ".0" differs (and exponents from
    1e15 on, where Python starts at 1e16: no stored value in this range has a fraction)."""
    raw = _text(j)
    shortest = cast(cast(raw, DOUBLE_PRECISION), Text)
    return case(
        (func.strpos(raw, ".") == 0, raw),
        (shortest.op("~")(literal(r"^-?[0-9]+$", Text)), shortest + literal(".0", Text)),
        else_=shortest,
    )


def _join(elements: Any, text: Sql) -> Sql:
    """ ", ".join over a jsonb array's elements in order ('' when there are none)."""
    return func.coalesce(
        select(func.string_agg(text, aggregate_order_by(literal(", ", Text), elements.c.n))).scalar_subquery(),
        literal("", Text),
    )


def _array_elements(j: Sql) -> Any:
    array = case((_typeof(j) == "array", j))
    return (
        func.jsonb_array_elements(array)
        .table_valued(literal_column("e", JSONB), with_ordinality="n", name="e")
        .render_derived(with_types=False)
    )


def _member(j: Sql, name: str) -> Sql:
    return j.op("->", return_type=JSONB)(literal(name, Text))


def _bind(value: Sql, name: str) -> Any:
    """A one-row FROM item naming a value. A function (not a subquery) because it may read the enclosing
    query's columns (implicitly LATERAL in PostgreSQL) without SQLAlchemy adding their tables to its FROM."""
    return (
        func.jsonb_array_elements(func.jsonb_build_array(value))
        .table_valued(literal_column(name, JSONB), name=name)
        .render_derived(with_types=False)
    )


def _unwrap(j: Sql) -> Sql:
    """cell_text of a dict reads its "value" member, else its "name" (absent: JSON null, written "")."""
    return case(
        (func.jsonb_typeof(j) != "object", j),
        (j.op("?")(literal("value", Text)), _member(j, "value")),
        else_=_member(j, "name"),
    )


def generic_text(j: Sql, depth: int = DEPTH) -> Sql:
    """cell_text(value) for any JSON value: scalars as str(), {"value"|"name"} objects by that member (two
    levels), lists joined with ", " (`depth` levels). Scalar subqueries name each value once, so the
    expression grows linearly with the depth instead of repeating the value in every branch."""
    once = _bind(_unwrap(j), "u1")
    inner = _bind(_unwrap(once.c.u1), "u")
    u = inner.c.u
    kind = _typeof(u)
    branches: list[tuple[Any, Sql]] = [
        (kind.in_(["string", "boolean"]), _text(u)),
        (kind == "number", _number(u)),
    ]
    if depth > 0:
        elements = _array_elements(u)
        branches.append((kind == "array", _join(elements, generic_text(elements.c.e, depth - 1))))
    return select(case(*branches, else_=literal("", Text))).select_from(once.join(inner, true())).scalar_subquery()


def _date_text(f: Field, j: Sql) -> Sql:
    text = _text(j)
    is_text = and_(_typeof(j) == "string", text != "")
    if include_time(f):
        with_time = case((func.strpos(text, "T") > 0, text), else_=text + literal("T00:00:00Z", Text))
        return case((is_text, with_time), else_=literal("", Text))
    return case((is_text, func.left(text, 10)), else_=literal("", Text))


def _single_select_text(f: Field, j: Sql) -> Sql:
    return _option_text(value_map(f), j, "")


def _option_text(texts: dict[str, str], j: Sql, empty: str) -> Sql:
    # to_api keeps integer ids only; a text "3" is not an option.
    known = lookup_text(texts, _text(j))
    return func.coalesce(case((_typeof(j) == "number", known)), literal(empty, Text))


def single_select_sql(f: Field, texts: dict[str, str], empty: str) -> Sql:
    """This single select's cell in the row being read, with `texts` (option id as text -> text) in place of
    the options' values, `empty` when no option is chosen."""
    return _option_text(texts, _member(rows.c.data, f.key), empty)


def _multiple_select_text(f: Field, j: Sql) -> Sql:
    elements = _array_elements(j)
    value = case((_typeof(elements.c.e) == "number", lookup_text(value_map(f), _text(elements.c.e))))
    # Unknown options are left out by to_api: string_agg skips their NULLs without a separator.
    return func.coalesce(
        select(func.string_agg(value, aggregate_order_by(literal(", ", Text), elements.c.n))).scalar_subquery(),
        literal("", Text),
    )


def _whole_number_text(j: Sql, empty: str) -> Sql:
    return case((_typeof(j) == "number", _number(j)), else_=literal(empty, Text))


def value_text(f: Field, type_name: str, j: Sql) -> Sql | None:
    """SQL for cell_text(to_api(f, stored)) of a jsonb stored value `j`; None when not expressed in SQL."""
    if type_name in TEXT_LIKE or type_name == "number":
        # Stored as JSON strings (prepare_value), given as they are by to_api.
        return func.coalesce(_text(j), literal("", Text))
    if type_name in ("rollup", "formula"):
        # to_api gives the stored value itself, of any JSON type.
        return generic_text(j)
    if type_name == "boolean":
        return case((j == literal(True, JSONB), literal("true", Text)), else_=literal("false", Text))
    if type_name in ("date", "created_on", "last_modified"):
        return _date_text(f, j)
    if type_name == "single_select":
        return _single_select_text(f, j)
    if type_name == "multiple_select":
        return _multiple_select_text(f, j)
    if type_name == "rating":
        # to_api: `stored or 0`; stored ratings are integers.
        return case((_typeof(j) == "number", _number(j)), else_=literal("0", Text))
    if type_name in ("autonumber", "duration"):
        return case((_typeof(j) == "number", _number(j)), else_=literal("", Text))
    if type_name == "count":
        # to_api: str(stored), "0" when empty.
        return case((func.coalesce(_typeof(j), "null") == "null", literal("0", Text)), else_=generic_text(j))
    if type_name == "link_row":
        elements = _array_elements(j)
        return _join(elements, generic_text(_member(elements.c.e, "value"), DEPTH - 1))
    if type_name == "lookup":
        return _lookup_text(f, j)
    return None


def _lookup_text(f: Field, j: Sql) -> Sql | None:
    target_type = str(f.options.get("target_type") or "")
    target = Field(0, 0, "", target_type, dict(f.options.get("target_options") or {}))
    elements = _array_elements(j)
    member = _member(elements.c.e, "value")
    if target_type in ("created_on", "last_modified"):
        target_type = "date"  # to_api of a text (not a datetime) is the date type's
    inner = value_text(target, target_type, member) if target_type not in ("created_by", "last_modified_by") else None
    if inner is None:
        return None
    # to_api is not called on a missing value: None is written as "".
    missing = member.is_(None) | (_typeof(member) == "null")
    return _join(elements, case((missing, literal("", Text)), else_=inner))


def _user_name(column: Sql) -> Sql:
    name = select(users.c.name).where(users.c.id == column).correlate(rows).scalar_subquery()
    return func.coalesce(name, literal("", Text))


def _moment_text(f: Field, moment: Sql) -> Sql:
    if include_time(f):
        utc = func.timezone(literal("UTC", Text), moment)
        text = func.to_char(utc, literal('YYYY-MM-DD"T"HH24:MI:SS"Z"', Text))
    else:
        local = func.timezone(literal(zone_name(f), Text), moment)
        text = func.to_char(local, literal("YYYY-MM-DD", Text))
    return func.coalesce(text, literal("", Text))


COLUMN_TEXT: dict[str, Callable[[Field], Sql]] = {
    "created_on": lambda f: _moment_text(f, rows.c.created_at),
    "last_modified": lambda f: _moment_text(f, rows.c.updated_at),
    "created_by": lambda f: _user_name(rows.c.created_by),
    "last_modified_by": lambda f: _user_name(rows.c.updated_by),
}


def cell_text_sql(f: Field, field_types: Registry[FieldType]) -> Sql | None:
    """The text of this field's cell in the row being read, never NULL; None when only Python knows it."""
    if f.type in COLUMN_TEXT:
        return COLUMN_TEXT[f.type](f)
    if f.type not in field_types or not field_types.get(f.type).stored_in_data:
        return None
    text = value_text(f, f.type, _member(rows.c.data, f.key))
    return None if text is None else func.coalesce(text, literal("", Text))
