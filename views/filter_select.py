"""Filters on single and multiple selects: by option id, as Baserow's API writes them."""

from __future__ import annotations

from sqlalchemy import Boolean, literal, or_, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, RowSource
from views.filter_scalar import is_false
from views.filters import Compiling, FilterType


def option_ids(value: str) -> list[int]:
    """'3' or '3,7' -> [3, 7]; anything that is not an id is ignored."""
    return [int(part) for part in value.split(",") if (part.strip().isascii() and part.strip().isdigit())]


class SingleSelectEqualFilter(FilterType):
    type = "single_select_equal"
    applies_to = frozenset({"select"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        ids = option_ids(value)[:1]
        if not ids:
            return true()
        return field_type.raw(f, row).astext == str(ids[0])


class SingleSelectNotEqualFilter(SingleSelectEqualFilter):
    type = "single_select_not_equal"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not option_ids(value):
            return true()
        return is_false(super().compile(field_type, f, row, value, env))


class SingleSelectIsAnyOfFilter(FilterType):
    type = "single_select_is_any_of"
    applies_to = frozenset({"select"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        ids = option_ids(value)
        if not ids:
            return true()
        return field_type.raw(f, row).astext.in_([str(i) for i in ids])


class SingleSelectIsNoneOfFilter(SingleSelectIsAnyOfFilter):
    type = "single_select_is_none_of"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not option_ids(value):
            return true()
        return is_false(super().compile(field_type, f, row, value, env))


class MultipleSelectHasFilter(FilterType):
    """The cell has any of the given option ids ('3' or '3,7')."""

    type = "multiple_select_has"
    applies_to = frozenset({"multiple"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        ids = option_ids(value)
        if not ids:
            return true()
        raw = field_type.raw(f, row)
        return or_(*[raw.op("@>", return_type=Boolean)(literal([i], JSONB)) for i in ids])


class MultipleSelectHasNotFilter(MultipleSelectHasFilter):
    type = "multiple_select_has_not"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not option_ids(value):
            return true()
        return is_false(super().compile(field_type, f, row, value, env))


SELECT_FILTERS: list[type[FilterType]] = [
    SingleSelectEqualFilter,
    SingleSelectNotEqualFilter,
    SingleSelectIsAnyOfFilter,
    SingleSelectIsNoneOfFilter,
    MultipleSelectHasFilter,
    MultipleSelectHasNotFilter,
]
