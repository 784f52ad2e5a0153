"""Filters on list values: links and lookups, stored as [{"id": 5, "value": ...}] in rows.data.

A lookup's element value may itself be an object (a select option {"id", "value", "color"}); its text is
then its "value". Every filter compiles to EXISTS over jsonb_array_elements of the stored list.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Boolean, Text, and_, case, cast, column, exists, func, literal, not_, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, RowSource
from views.filters import Compiling, FilterType, fold_text, folded
from views.search import JSON_UNSAFE

LIST_COMPARE = frozenset({"array", "link"})
LIST_TYPES = frozenset({"link_row", "lookup"})
# The filters whose condition is "an element's text equals the value": they get the containment pre-filter.
EXACT_TEXT_FILTERS = frozenset({"has_value_equal", "has_not_value_equal"})


def is_list_field(field_type: FieldType) -> bool:
    return field_type.compare_as in LIST_COMPARE or field_type.type in LIST_TYPES


def as_array(raw: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((func.jsonb_typeof(raw) == "array", raw))


def array_length(raw: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.jsonb_array_length(as_array(raw)), 0)


def _elements(raw: ColumnElement[Any]) -> Any:
    return func.jsonb_array_elements(as_array(raw)).table_valued(column("elt", JSONB)).render_derived()


def element_text(elt: ColumnElement[Any]) -> ColumnElement[Any]:
    value = elt.op("->", return_type=JSONB)("value")
    nested = value.op("->>")("value")
    return func.coalesce(
        case((func.jsonb_typeof(value) == "object", nested)),
        elt.op("->>")("value"),
    )


def containment(raw: ColumnElement[Any], candidates: list[Any]) -> ColumnElement[bool]:
    """raw @> c1 OR raw @> c2 ...: answered by a GIN (jsonb_path_ops) index on the stored list, which the
    index advisor builds for large tables (nocodedb/services/indexes.py). Only ever ANDed with the exact
    condition, as a pre-filter: it must hold for every row the exact condition holds for (a superset)."""
    return or_(*(raw.op("@>")(cast(literal(orjson.dumps(c).decode()), JSONB)) for c in candidates))


def value_candidates(value: str) -> list[Any]:
    """Every stored list whose element text can equal `value` contains one of these: element_text is
    elt->>'value' (or the nested option's ->>'value'), which is the string itself, or the canonical JSON text
    of a non-string value, which then parses back to an equal JSON value."""
    options: list[Any] = [value]
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        parsed = None
    if parsed is not None and not isinstance(parsed, str):
        options.append(parsed)
    return [[{"value": v}] for v in options] + [[{"value": {"value": v}}] for v in options]


def list_text(raw: ColumnElement[Any]) -> ColumnElement[Any]:
    """The folded JSON text of a stored list: the expression of the trigram index on a list field."""
    return folded(cast(raw, Text))


def list_text_contains(raw: ColumnElement[Any], needle: str) -> ColumnElement[bool]:
    return list_text(raw).contains(needle, autoescape=True)


def any_element(raw: ColumnElement[Any], condition: Any) -> ColumnElement[bool]:
    """EXISTS an element e of the stored list with condition(e)."""
    items = _elements(raw)
    return exists(select(literal(1)).select_from(items).where(condition(items.c.elt)))


def none_match(raw: ColumnElement[Any], condition: Any) -> ColumnElement[bool]:
    return not_(any_element(raw, condition))


class _ListFilter(FilterType):
    applies_to = LIST_COMPARE
    applies_to_types = LIST_TYPES


class LinkRowHasFilter(_ListFilter):
    """Linked to the row with this id."""

    type = "link_row_has"
    applies_to = frozenset({"link"})
    applies_to_types = frozenset({"link_row"})
    negate = False

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not (value.strip().isascii() and value.strip().isdigit()):
            return true()
        wanted = int(value.strip())
        raw = field_type.raw(f, row)
        condition = and_(
            containment(raw, [[{"id": wanted}]]), any_element(raw, lambda e: e.op("->>")("id") == str(wanted))
        )
        return not_(condition) if self.negate else condition


class LinkRowHasNotFilter(LinkRowHasFilter):
    type = "link_row_has_not"
    negate = True


class LinkRowContainsFilter(LinkRowHasFilter):
    """A linked row's primary value contains the text."""

    type = "link_row_contains"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        needle = fold_text(value)
        condition = any_element(
            field_type.raw(f, row), lambda e: folded(element_text(e)).contains(needle, autoescape=True)
        )
        return not_(condition) if self.negate else condition


class LinkRowNotContainsFilter(LinkRowContainsFilter):
    type = "link_row_not_contains"
    negate = True


class HasValueEqualFilter(_ListFilter):
    type = "has_value_equal"
    negate = False

    def element_condition(self, value: str) -> Any:
        return lambda e: element_text(e) == value

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        condition = self.element_condition(value)
        if condition is None:
            return true()
        raw = field_type.raw(f, row)
        found = any_element(raw, condition)
        if self.type in EXACT_TEXT_FILTERS:
            found = and_(containment(raw, value_candidates(value)), found)
        return not_(found) if self.negate else found


class HasNotValueEqualFilter(HasValueEqualFilter):
    type = "has_not_value_equal"
    negate = True


class HasValueContainingFilter(HasValueEqualFilter):
    type = "has_value_containing"

    def element_condition(self, value: str) -> Any:
        needle = fold_text(value)
        return lambda e: folded(element_text(e)).contains(needle, autoescape=True)

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        needle = fold_text(value)
        raw = field_type.raw(f, row)
        found = any_element(raw, self.element_condition(value))
        if JSON_UNSAFE.search(needle) is None:
            # An element's text appears verbatim in the list's JSON text unless JSON escapes it, so the
            # folded JSON text contains the needle too: a test a trigram index answers (the index advisor
            # builds it for large tables), ANDed as a pre-filter before the exact per-element test.
            found = and_(list_text_contains(raw, needle), found)
        return not_(found) if self.negate else found


class HasNotValueContainingFilter(HasValueContainingFilter):
    type = "has_not_value_containing"
    negate = True


class HasValueContainingWordFilter(HasValueEqualFilter):
    type = "has_value_containing_word"

    def element_condition(self, value: str) -> Any:
        from views.filter_scalar import word_pattern

        if not value.strip():
            return None
        pattern = word_pattern(value)
        return lambda e: folded(element_text(e)).op("~", return_type=Boolean)(literal(pattern))


class HasNotValueContainingWordFilter(HasValueContainingWordFilter):
    type = "has_not_value_containing_word"
    negate = True


class HasValueLengthIsLowerThanFilter(HasValueEqualFilter):
    type = "has_value_length_is_lower_than"

    def element_condition(self, value: str) -> Any:
        if not (value.strip().isascii() and value.strip().isdigit()):
            return None
        limit = int(value.strip())
        return lambda e: func.coalesce(func.char_length(element_text(e)), 0) < limit


class HasEmptyValueFilter(HasValueEqualFilter):
    type = "has_empty_value"
    empty_value_is_inactive = False

    def element_condition(self, value: str) -> Any:
        return lambda e: func.coalesce(element_text(e), "") == ""


class HasNotEmptyValueFilter(HasEmptyValueFilter):
    type = "has_not_empty_value"
    negate = True


class HasAllValuesEqualFilter(_ListFilter):
    type = "has_all_values_equal"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        raw = field_type.raw(f, row)
        differs = any_element(raw, lambda e: func.coalesce(element_text(e) != value, True))
        return and_(array_length(raw) > 0, not_(differs))


class HasAnySelectOptionEqualFilter(HasValueEqualFilter):
    """Lookups of a select: an element's option id is one of '3,7'."""

    type = "has_any_select_option_equal"

    def element_condition(self, value: str) -> Any:
        ids = [p.strip() for p in value.split(",") if (p.strip().isascii() and p.strip().isdigit())]
        if not ids:
            return None
        return lambda e: e.op("->", return_type=JSONB)("value").op("->>")("id").in_(ids)


class HasNoneSelectOptionEqualFilter(HasAnySelectOptionEqualFilter):
    type = "has_none_select_option_equal"
    negate = True


ARRAY_FILTERS: list[type[FilterType]] = [
    LinkRowHasFilter,
    LinkRowHasNotFilter,
    LinkRowContainsFilter,
    LinkRowNotContainsFilter,
    HasValueEqualFilter,
    HasNotValueEqualFilter,
    HasValueContainingFilter,
    HasNotValueContainingFilter,
    HasValueContainingWordFilter,
    HasNotValueContainingWordFilter,
    HasValueLengthIsLowerThanFilter,
    HasEmptyValueFilter,
    HasNotEmptyValueFilter,
    HasAllValuesEqualFilter,
    HasAnySelectOptionEqualFilter,
    HasNoneSelectOptionEqualFilter,
]
