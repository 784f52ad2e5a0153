"""Text-like field types: single line text, long text, URL, email, phone number."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, literal
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, NoOptions

MAX_TEXT = 100_000
MAX_LINE = 10_000


class TextOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text_default: str = ""


class TextFieldType(FieldType):
    type = "text"
    options_model = TextOptions
    max_length = MAX_LINE

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise FieldValueError("Expected text.")
        text = str(value)
        if len(text) > self.max_length:
            raise FieldValueError(f"Ensure this value has at most {self.max_length} characters.", "max_length")
        if "\x00" in text:
            raise FieldValueError("Text cannot contain the NUL character.")
        return text if text != "" else None

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored

    def default_value(self, f: Field) -> Any:
        return f.options.get("text_default") or None

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL text never holds NUL, so there is nothing to strip (a NUL parameter would be refused).
        cleaned = func.nullif(text, literal(""))
        return func.to_jsonb(func.left(cleaned, self.max_length))


class LongTextFieldType(TextFieldType):
    type = "long_text"
    options_model = NoOptions
    max_length = MAX_TEXT

    def default_value(self, f: Field) -> Any:
        return None


class _PatternTextFieldType(TextFieldType):
    """Text that must match a pattern; SQL conversion keeps only matching values."""

    pattern: re.Pattern[str]
    sql_pattern: str
    message: str
    options_model = NoOptions

    def default_value(self, f: Field) -> Any:
        return None

    def prepare_value(self, f: Field, value: Any) -> Any:
        text = super().prepare_value(f, value)
        if text is None:
            return None
        text = text.strip()
        if not self.pattern.fullmatch(text):
            raise FieldValueError(self.message)
        return text

    def parse_text(self, f: Field, text: str) -> Any:
        return text.strip() or None

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        trimmed = func.btrim(text)
        matched = func.substring(trimmed, literal(f"^({self.sql_pattern})$"))
        return func.to_jsonb(func.nullif(matched, literal("")))


class UrlFieldType(_PatternTextFieldType):
    type = "url"
    pattern = re.compile(r"(https?|ftp|mailto|tel)://?[^\s]+|[\w-]+(\.[\w-]+)+(/[^\s]*)?", re.IGNORECASE)
    sql_pattern = r"(https?|ftp|mailto|tel)://?[^\s]+|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+(/[^\s]*)?"
    message = "Enter a valid URL."


class EmailFieldType(_PatternTextFieldType):
    type = "email"
    pattern = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
    sql_pattern = r"[^@\s]+@[^@\s]+\.[^@\s]+"
    message = "Enter a valid email address."


class PhoneNumberFieldType(_PatternTextFieldType):
    type = "phone_number"
    pattern = re.compile(r"[0-9+()\-.\s/x*#]{1,100}")
    sql_pattern = r"[0-9+()\-.\s/x*#]{1,100}"
    message = "Enter a valid phone number (digits, spaces and + ( ) - . / x * #)."
