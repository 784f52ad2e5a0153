"""One text cell -> the stored value of a field, with the reason when it cannot be imported."""

from __future__ import annotations

from typing import Any

from fields import Field, FieldType, FieldValueError, Registry
from nocodedb.importing.infer import number_style, to_plain_decimal


class CellParser:
    """Parses the cells of one column for one field; remembers the column's number style."""

    def __init__(self, f: Field, field_types: Registry[FieldType], style: str | None = None) -> None:
        self.field = f
        self.type = field_types.get(f.type)
        self.style = style
        self.links = getattr(self.type, "writes_links", False)

    def api_value(self, text: str) -> Any:
        """The API value (what create_rows/update_rows take); raises FieldValueError."""
        if self.field.type == "number" and text:
            style = self.style or number_style([text]) or "en"
            plain = to_plain_decimal(text, style)
            if not plain:
                raise FieldValueError(f"{text[:50]!r} is not a number.")
            text = plain
        if self.links:
            return [part.strip() for part in text.split(",") if part.strip()] or None
        return self.type.parse_text(self.field, text)

    def stored(self, text: str) -> Any:
        """The stored value (what insert_rows takes); raises FieldValueError."""
        value = self.api_value(text)
        return None if value is None else self.type.prepare_value(self.field, value)


def reason(exc: Exception) -> str:
    if isinstance(exc, FieldValueError):
        return exc.message
    return str(exc) or exc.__class__.__name__
