"""Filter trees -> one SQL boolean expression.

A tree is Baserow's shape:
{"filter_type": "AND"|"OR", "filters": [{"field", "type", "value"}], "groups": [...]}.
Each filter type is a registered class that says which field types it applies to and compiles itself
from the field type's SQL (sql_value / text_sql / raw), so a new field type gets filters without changes
here. Filter values are strings, as in Baserow; a value that does not fit (a word for a number filter)
makes the condition inactive rather than failing the request, like Baserow.

The filter types themselves live in views/filter_*.py, one module per family; this module holds the
protocol, the tree compiler and the registry.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from sqlalchemy import and_, func, or_, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource
from fields.base import for_field

MAX_CONDITIONS = 200
MAX_DEPTH = 10
MAX_VALUE_LENGTH = 10_000


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
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Compiling:
    """What a filter type may need besides the field: the clock (relative dates)."""

    now: dt.datetime = field(default_factory=utc_now)


class FilterType:
    type: ClassVar[str]
    # compare_as values of the field types this filter applies to; None means every type.
    applies_to: ClassVar[frozenset[str] | None] = None
    # Field type names this filter applies to whatever their compare_as (e.g. "link_row").
    applies_to_types: ClassVar[frozenset[str]] = frozenset()
    # Filters whose empty value means "no condition" (Baserow's behaviour while a value is being typed).
    empty_value_is_inactive: ClassVar[bool] = True

    def compatible(self, field_type: FieldType) -> bool:
        if field_type.type in self.applies_to_types:
            return True
        return self.applies_to is None or field_type.compare_as in self.applies_to

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        raise TypeError(f"{type(self).__name__} must define compile")


def default_filter_types() -> Registry[FilterType]:
    from views.filter_arrays import ARRAY_FILTERS
    from views.filter_dates import DATE_FILTERS
    from views.filter_scalar import SCALAR_FILTERS
    from views.filter_select import SELECT_FILTERS

    registry: Registry[FilterType] = Registry("filter type")
    for cls in (*SCALAR_FILTERS, *SELECT_FILTERS, *DATE_FILTERS, *ARRAY_FILTERS):
        registry.register(cls.type, cls())
    return registry


@dataclass(frozen=True)
class FilterContext:
    field_types: Registry[FieldType]
    filter_types: Registry[FilterType]
    resolve_field: Callable[[Any], Field | None]
    row: RowSource
    # Stored view filters: a condition whose field is gone or whose type no longer fits is skipped
    # (inactive) instead of failing the request.
    skip_unusable: bool = False
    env: Compiling = field(default_factory=Compiling)


def condition_problem(condition: dict[str, Any], ctx: FilterContext) -> str | None:
    """Why a stored condition is inactive: 'field_not_found', 'type_unknown', 'not_compatible' or None."""
    f = ctx.resolve_field(condition.get("field"))
    if f is None:
        return "field_not_found"
    type_name = condition.get("type")
    if not isinstance(type_name, str) or type_name not in ctx.filter_types:
        return "type_unknown"
    if f.type not in ctx.field_types:
        return "not_compatible"
    if not ctx.filter_types.get(type_name).compatible(for_field(ctx.field_types.get(f.type), f)):
        return "not_compatible"
    return None


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
    parts = [p for p in (_compile_condition(c, ctx, counter) for c in conditions) if p is not None]
    parts += [_compile_group(g, ctx, depth + 1, counter) for g in subgroups]
    if not parts:
        return true()
    return and_(*parts) if kind == "AND" else or_(*parts)


def _compile_condition(condition: Any, ctx: FilterContext, counter: list[int]) -> ColumnElement[bool] | None:
    """The condition's SQL; None when it is inactive (an empty value, or unusable in a stored view)."""
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise FilterError("invalid", f"At most {MAX_CONDITIONS} filter conditions are allowed.")
    if not isinstance(condition, dict):
        raise FilterError("invalid", "A filter must be an object with field, type and value.")
    problem = condition_problem(condition, ctx)
    if problem is not None:
        if ctx.skip_unusable:
            return None
        raise FilterError(problem, _problem_message(problem, condition, ctx))
    f = ctx.resolve_field(condition.get("field"))
    assert f is not None
    filter_type = ctx.filter_types.get(condition["type"])
    raw_value = condition.get("value", "")
    if isinstance(raw_value, (dict, list)):
        raise FilterError("invalid", "A filter value must be a string.")
    value = "" if raw_value is None else str(raw_value)
    if len(value) > MAX_VALUE_LENGTH:
        raise FilterError("invalid", f"A filter value may have at most {MAX_VALUE_LENGTH} characters.")
    if value == "" and filter_type.empty_value_is_inactive:
        return None
    return filter_type.compile(for_field(ctx.field_types.get(f.type), f), f, ctx.row, value, ctx.env)


def _problem_message(problem: str, condition: dict[str, Any], ctx: FilterContext) -> str:
    if problem == "field_not_found":
        return f"The field {condition.get('field')!r} does not exist."
    if problem == "type_unknown":
        return f"The filter type {condition.get('type')!r} does not exist."
    f = ctx.resolve_field(condition.get("field"))
    kind = f.type if f else "?"
    return f"The filter {condition.get('type')!r} does not apply to a {kind} field."
