"""Single and multiple select fields. Rows store option ids; SQL reads values through a bound JSONB map
(option id -> value), so option values never become SQL text and renaming an option touches no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource
from fields.select_options import (
    SelectOptions,
    api_option,
    by_id,
    find_option,
    id_map,
    options_with_values,
    position_map,
    split_values,
    validate_select_options,
    value_map,
)

MAX_SELECTED = 1000


class _SelectFieldType(FieldType):
    options_model = SelectOptions

    def validate_options(self, raw: dict[str, Any], old: Field | None = None) -> dict[str, Any]:
        return validate_select_options(raw, old)

    def options_with_values(self, options: dict[str, Any], texts: Iterable[str | None]) -> dict[str, Any]:
        """Options plus one for each text that has none: called before converting text to this type."""
        return options_with_values(options, texts)


def jsonb_map(mapping: dict[str, Any]) -> ColumnElement[Any]:
    return literal(mapping, JSONB)


def lookup_text(mapping: dict[str, Any], key: ColumnElement[Any]) -> ColumnElement[Any]:
    """`:map ->> key`: the text the map gives for a text key, NULL when absent."""
    return jsonb_map(mapping).op("->>", return_type=Text)(key)


def lookup_json(mapping: dict[str, Any], key: ColumnElement[Any]) -> ColumnElement[Any]:
    return jsonb_map(mapping).op("->", return_type=JSONB)(key)


def normalized(text: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.lower(func.btrim(text))


class SingleSelectFieldType(_SelectFieldType):
    type = "single_select"
    formula_type = "single_select"
    compare_as = "select"

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        return find_option(f, value)

    def to_api(self, f: Field, stored: Any) -> Any:
        option = by_id(f).get(stored) if isinstance(stored, int) else None
        return api_option(option) if option else None

    def parse_text(self, f: Field, text: str) -> Any:
        return text.strip() or None

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return lookup_text(value_map(f), row.data[f.key].astext)

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        # Alphabetical whatever the database collation: "green" between "Blue" and "Red".
        return func.lower(self.sql_value(f, row))

    def sql_sort_by_option_order(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return cast(lookup_text(position_map(f), row.data[f.key].astext), Integer)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return self.sql_value(f, row)

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # The whole text first, then its first comma-separated part: a multiple select's text keeps its
        # first value, as in Baserow.
        ids = id_map(f)
        return func.coalesce(
            lookup_json(ids, normalized(text)), lookup_json(ids, normalized(func.split_part(text, ",", 1)))
        )


class MultipleSelectFieldType(_SelectFieldType):
    type = "multiple_select"
    formula_type = "array"
    compare_as = "multiple"

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = split_values(value)
        if not isinstance(value, list):
            raise FieldValueError("Expected a list of select option ids or values.")
        if len(value) > MAX_SELECTED:
            raise FieldValueError(f"Ensure this list has at most {MAX_SELECTED} items.", "max_length")
        ids = list(dict.fromkeys(find_option(f, item) for item in value))
        return ids or None

    def to_api(self, f: Field, stored: Any) -> Any:
        if not isinstance(stored, list):
            return []
        options = by_id(f)
        return [api_option(options[i]) for i in stored if isinstance(i, int) and i in options]

    def empty_api_value(self, f: Field) -> Any:
        return []

    def parse_text(self, f: Field, text: str) -> Any:
        return split_values(text) or None

    def _elements(self, f: Field, row: RowSource) -> Any:
        raw = row.data[f.key]
        array = case((func.jsonb_typeof(raw) == "array", raw))
        elements = func.jsonb_array_elements_text(array)
        return elements.table_valued("value", with_ordinality="ord").render_derived()

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        """The values, as a text[] in the stored order (NULL when empty)."""
        items = self._elements(f, row)
        value = lookup_text(value_map(f), items.c.value)
        return (
            select(func.array_agg(aggregate_order_by(value, items.c.ord))).where(value.is_not(None)).scalar_subquery()
        )

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        items = self._elements(f, row)
        value = lookup_text(value_map(f), items.c.value)
        return select(func.string_agg(value, aggregate_order_by(literal(", ", Text), items.c.ord))).scalar_subquery()

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.lower(self.text_sql(f, row))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        split = func.regexp_split_to_table(text, ",")
        parts = split.table_valued("part", with_ordinality="ord").render_derived()
        option_id = lookup_json(id_map(f), normalized(parts.c.part)).label("option_id")
        first = select(option_id, func.min(parts.c.ord).label("ord")).group_by(option_id).subquery()
        return (
            select(func.jsonb_agg(aggregate_order_by(first.c.option_id, first.c.ord)))
            .where(first.c.option_id.is_not(None))
            .scalar_subquery()
        )
