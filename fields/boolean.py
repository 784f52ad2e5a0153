"""The boolean field: stored as JSON true/false, accepting the words Baserow accepts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, case, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource

TRUE_WORDS = ("1", "true", "t", "y", "yes", "on", "checked", "oui", "vrai")
FALSE_WORDS = ("0", "false", "f", "n", "no", "off", "non", "faux", "")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # 1 and 0 arrive as numbers from spreadsheets and scripts.
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise FieldValueError(f"{str(value)[:50]!r} is not a valid boolean.")


class BooleanFieldType(FieldType):
    type = "boolean"
    formula_type = "boolean"
    compare_as = "boolean"

    def prepare_value(self, f: Field, value: Any) -> Any:
        return False if value is None else parse_bool(value)

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored is True

    def empty_api_value(self, f: Field) -> Any:
        return False

    def default_value(self, f: Field) -> Any:
        return False

    def parse_text(self, f: Field, text: str) -> Any:
        return parse_bool(text)

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.coalesce(row.data[f.key] == literal(True, JSONB), literal(False))

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return case((self.sql_value(f, row), literal("true", Text)), else_=literal("false", Text))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        word = func.lower(func.btrim(text))
        return case(
            (word.in_(TRUE_WORDS), literal(True, JSONB)),
            (func.coalesce(word, "").in_(FALSE_WORDS), literal(False, JSONB)),
        )
