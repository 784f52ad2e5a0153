"""Filters on one value: text, numbers, booleans, emptiness. Values are strings, as in Baserow."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Numeric, cast, false, func, literal, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, RowSource
from views.filter_arrays import array_length, is_list_field
from views.filters import Compiling, FilterType, fold_text, folded, parse_number

TEXT_LIKE = frozenset({"text", "number", "date", "select", "multiple", "array", "link", "boolean"})
TRUE_WORDS = {"1", "true", "t", "y", "yes", "on", "checked", "oui", "vrai"}


def is_false(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """NOT condition, where an unknown (NULL) condition counts as false: 'not equal' keeps empty cells."""
    return func.coalesce(condition, false()) == false()


class EqualFilter(FilterType):
    type = "equal"
    applies_to = frozenset({"text", "number", "date"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if field_type.compare_as == "number":
            number = parse_number(value)
            return true() if number is None else cast(field_type.sql_value(f, row), Numeric) == number
        return field_type.text_sql(f, row) == value


class NotEqualFilter(EqualFilter):
    type = "not_equal"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if field_type.compare_as == "number" and parse_number(value) is None:
            return true()
        return is_false(super().compile(field_type, f, row, value, env))


class ContainsFilter(FilterType):
    """Case- and accent-insensitive substring of the displayed text; applies to every field type."""

    type = "contains"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        return folded(field_type.text_sql(f, row)).contains(fold_text(value), autoescape=True)


class ContainsNotFilter(ContainsFilter):
    type = "contains_not"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        return is_false(super().compile(field_type, f, row, value, env))


def word_pattern(value: str) -> str:
    """A PostgreSQL regular expression matching the folded word(s) as whole words."""
    return r"\m" + re.escape(fold_text(value.strip())) + r"\M"


class ContainsWordFilter(FilterType):
    type = "contains_word"
    applies_to = frozenset({"text", "select", "multiple", "array", "link"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not value.strip():
            return true()
        return folded(field_type.text_sql(f, row)).op("~")(literal(word_pattern(value)))


class DoesntContainWordFilter(ContainsWordFilter):
    type = "doesnt_contain_word"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        return is_false(super().compile(field_type, f, row, value, env))


class LengthIsLowerThanFilter(FilterType):
    """Text shorter than N characters; an empty cell has length 0."""

    type = "length_is_lower_than"
    applies_to = frozenset({"text"})

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if not (value.strip().isascii() and value.strip().isdigit()):
            return true()
        return func.coalesce(func.char_length(field_type.text_sql(f, row)), 0) < int(value.strip())


class _NumberCompare(FilterType):
    applies_to = frozenset({"number"})
    op: ClassVar[Callable[[ColumnElement[Any], Decimal], ColumnElement[bool]]]

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
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


class IsEvenAndWholeFilter(FilterType):
    type = "is_even_and_whole"
    applies_to = frozenset({"number"})
    empty_value_is_inactive = False

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        return func.mod(cast(field_type.sql_value(f, row), Numeric), 2) == 0


class EmptyFilter(FilterType):
    type = "empty"
    empty_value_is_inactive = False

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        if field_type.compare_as == "boolean":
            return func.coalesce(field_type.sql_value(f, row), false()) == false()
        if is_list_field(field_type):
            return array_length(field_type.raw(f, row)) == 0
        return func.coalesce(field_type.text_sql(f, row), literal("")) == ""


class NotEmptyFilter(EmptyFilter):
    type = "not_empty"

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        return super().compile(field_type, f, row, value, env) == false()


class BooleanFilter(FilterType):
    type = "boolean"
    applies_to = frozenset({"boolean"})
    empty_value_is_inactive = False

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        wanted = value.strip().lower() in TRUE_WORDS
        return func.coalesce(field_type.sql_value(f, row), false()) == wanted


SCALAR_FILTERS: list[type[FilterType]] = [
    EqualFilter,
    NotEqualFilter,
    ContainsFilter,
    ContainsNotFilter,
    ContainsWordFilter,
    DoesntContainWordFilter,
    LengthIsLowerThanFilter,
    HigherThanFilter,
    HigherThanOrEqualFilter,
    LowerThanFilter,
    LowerThanOrEqualFilter,
    IsEvenAndWholeFilter,
    EmptyFilter,
    NotEmptyFilter,
    BooleanFilter,
]
