"""Filter trees -> one SQL boolean expression.

A tree is Baserow's shape: {"filter_type": "AND"|"OR", "filters": [{"field", "type", "value"}], "groups": [...]}.
Each filter type is a registered class that says which field types it applies to and compiles itself
from the field type's SQL (sql_value / text_sql), so a new field type gets filters without changes here.
Filter values are strings, as in Baserow; a value that does not fit (a word for a number filter) makes
the condition inactive rather than failing the request, like Baserow.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from sqlalchemy import Date, Numeric, and_, cast, false, func, literal, or_, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource

MAX_CONDITIONS = 200
MAX_DEPTH = 10


class FilterError(ValueError):
    """kind: 'field_not_found', 'type_unknown', 'not_compatible' or 'invalid'."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def folded(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """Case- and accent-insensitive form of a text expression."""
    return func.ncdb_unaccent(func.lower(expr))


def fold_text(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class FilterType:
    type: ClassVar[str]
    # compare_as values of the field types this filter applies to; None means every type.
    applies_to: ClassVar[frozenset[str] | None] = None
    # Filters whose empty value means "no condition" (Baserow's behaviour while a value is being typed).
    empty_value_is_inactive: ClassVar[bool] = True

    def compatible(self, field_type: FieldType) -> bool:
        return self.applies_to is None or field_type.compare_as in self.applies_to

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        raise TypeError(f"{type(self).__name__} must define compile")


class EqualFilter(FilterType):
    type = "equal"
    applies_to = frozenset({"text", "number", "date"})

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        if field_type.compare_as == "number":
            number = parse_number(value)
            return true() if number is None else field_type.sql_value(f, row) == number
        return field_type.text_sql(f, row) == value


class NotEqualFilter(EqualFilter):
    type = "not_equal"

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        if field_type.compare_as == "number" and parse_number(value) is None:
            return true()
        return func.coalesce(super().compile(field_type, f, row, value), false()) == false()


class ContainsFilter(FilterType):
    type = "contains"

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        return folded(field_type.text_sql(f, row)).contains(fold_text(value), autoescape=True)


class ContainsNotFilter(ContainsFilter):
    type = "contains_not"

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        return func.coalesce(super().compile(field_type, f, row, value), false()) == false()


class _NumberCompare(FilterType):
    applies_to = frozenset({"number"})
    op: ClassVar[Callable[[ColumnElement[Any], Decimal], ColumnElement[bool]]]

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        number = parse_number(value)
        if number is None:
            return true()
        return type(self).op(cast(field_type.sql_value(f, row), Numeric), number)


class HigherThanFilter(_NumberCompare):
    type = "higher_than"
    op = staticmethod(lambda a, b: a > b)


class HigherThanOrEqualFilter(_NumberCompare):
    type = "higher_than_or_equal"
    op = staticmethod(lambda a, b: a >= b)


class LowerThanFilter(_NumberCompare):
    type = "lower_than"
    op = staticmethod(lambda a, b: a < b)


class LowerThanOrEqualFilter(_NumberCompare):
    type = "lower_than_or_equal"
    op = staticmethod(lambda a, b: a <= b)


class EmptyFilter(FilterType):
    type = "empty"
    empty_value_is_inactive = False

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        if field_type.compare_as == "boolean":
            return func.coalesce(field_type.sql_value(f, row), false()) == false()
        return func.coalesce(field_type.text_sql(f, row), literal("")) == ""


class NotEmptyFilter(EmptyFilter):
    type = "not_empty"

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        return super().compile(field_type, f, row, value) == false()


TRUE_WORDS = {"1", "true", "t", "y", "yes", "on", "checked", "oui", "vrai"}


class BooleanFilter(FilterType):
    type = "boolean"
    applies_to = frozenset({"boolean"})
    empty_value_is_inactive = False

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        wanted = value.strip().lower() in TRUE_WORDS
        return func.coalesce(field_type.sql_value(f, row), false()) == wanted


class SingleSelectEqualFilter(FilterType):
    type = "single_select_equal"
    applies_to = frozenset({"select"})

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        if not value.strip().isdigit():
            return true()
        return field_type.raw(f, row).astext == str(int(value))


class SingleSelectNotEqualFilter(SingleSelectEqualFilter):
    type = "single_select_not_equal"

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        if not value.strip().isdigit():
            return true()
        return func.coalesce(field_type.raw(f, row).astext, "") != str(int(value))


def split_timezone(value: str) -> tuple[str, str]:
    """Baserow writes date filter values as 'Europe/Paris?2024-05-01' (older form: just the date)."""
    if "?" in value:
        zone, _, rest = value.partition("?")
        return zone or "UTC", rest
    return "UTC", value


class DateEqualFilter(FilterType):
    type = "date_equal"
    applies_to = frozenset({"date"})

    def compile(self, field_type: FieldType, f: Field, row: RowSource, value: str) -> ColumnElement[bool]:
        zone, day_text = split_timezone(value)
        try:
            day = dt.date.fromisoformat(day_text.strip()[:10])
            zoneinfo.ZoneInfo(zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            return true()
        sql_value = field_type.sql_value(f, row)
        if f.options.get("date_include_time") or field_type.formula_type == "datetime":
            local_day = cast(func.timezone(literal(zone), sql_value), Date)
            return local_day == day
        return cast(sql_value, Date) == day


def default_filter_types() -> Registry[FilterType]:
    registry: Registry[FilterType] = Registry("filter type")
    for cls in (
        EqualFilter,
        NotEqualFilter,
        ContainsFilter,
        ContainsNotFilter,
        HigherThanFilter,
        HigherThanOrEqualFilter,
        LowerThanFilter,
        LowerThanOrEqualFilter,
        EmptyFilter,
        NotEmptyFilter,
        BooleanFilter,
        SingleSelectEqualFilter,
        SingleSelectNotEqualFilter,
        DateEqualFilter,
    ):
        registry.register(cls.type, cls())
    return registry


@dataclass(frozen=True)
class FilterContext:
    field_types: Registry[FieldType]
    filter_types: Registry[FilterType]
    resolve_field: Callable[[Any], Field | None]
    row: RowSource


def compile_tree(tree: Any, ctx: FilterContext) -> ColumnElement[bool]:
    counter = [0]
    return _compile_group(tree, ctx, 0, counter)


def _compile_group(group: Any, ctx: FilterContext, depth: int, counter: list[int]) -> ColumnElement[bool]:
    if not isinstance(group, dict):
        raise FilterError("invalid", "A filter group must be an object.")
    if depth > MAX_DEPTH:
        raise FilterError("invalid", f"Filter groups may be nested at most {MAX_DEPTH} deep.")
    kind = str(group.get("filter_type", "AND")).upper()
    if kind not in ("AND", "OR"):
        raise FilterError("invalid", "filter_type must be AND or OR.")
    conditions = group.get("filters", [])
    subgroups = group.get("groups", [])
    if not isinstance(conditions, list) or not isinstance(subgroups, list):
        raise FilterError("invalid", "filters and groups must be lists.")
    parts = [_compile_condition(c, ctx, counter) for c in conditions]
    parts += [_compile_group(g, ctx, depth + 1, counter) for g in subgroups]
    if not parts:
        return true()
    return and_(*parts) if kind == "AND" else or_(*parts)


def _compile_condition(condition: Any, ctx: FilterContext, counter: list[int]) -> ColumnElement[bool]:
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise FilterError("invalid", f"At most {MAX_CONDITIONS} filter conditions are allowed.")
    if not isinstance(condition, dict):
        raise FilterError("invalid", "A filter must be an object with field, type and value.")
    f = ctx.resolve_field(condition.get("field"))
    if f is None:
        raise FilterError("field_not_found", f"The field {condition.get('field')!r} does not exist.")
    type_name = condition.get("type")
    if not isinstance(type_name, str) or type_name not in ctx.filter_types:
        raise FilterError("type_unknown", f"The filter type {type_name!r} does not exist.")
    filter_type = ctx.filter_types.get(type_name)
    field_type = ctx.field_types.get(f.type)
    if not filter_type.compatible(field_type):
        raise FilterError("not_compatible", f"The filter {type_name!r} does not apply to a {f.type} field.")
    raw_value = condition.get("value", "")
    value = "" if raw_value is None else str(raw_value)
    if len(value) > 10_000:
        raise FilterError("invalid", "A filter value may have at most 10000 characters.")
    if value == "" and filter_type.empty_value_is_inactive:
        return true()
    return filter_type.compile(field_type, f, ctx.row, value)
