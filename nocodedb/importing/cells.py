"""One text cell -> the stored value of a field, with the reason when it cannot be imported."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fields import Field, FieldType, FieldValueError, Registry
from nocodedb.importing.infer import number_style, to_plain_decimal

# Columns of these types rarely repeat a value and convert cheaply: a cache would only cost memory.
UNCACHED_TYPES = {"text", "long_text", "email", "url", "phone_number", "uuid"}
# Distinct texts remembered per column (dates, numbers, selects, booleans repeat a lot in real files).
CACHE_SIZE = 20_000


class CellParser:
    """Parses the cells of one column for one field; remembers the column's number style."""

    def __init__(self, f: Field, field_types: Registry[FieldType], style: str | None = None) -> None:
        self.field = f
        self.type = field_types.get(f.type)
        self.style = style
        self.links = getattr(self.type, "writes_links", False)
        self._cache: dict[str, Any] | None = None if f.type in UNCACHED_TYPES else {}

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

    def converter(self) -> tuple[Callable[[str], Any], dict[str, Any] | None]:
        """(text -> stored value, the cache of known texts or None): for a loop over many rows, which looks
        texts up in the cache itself before calling. For a plain text-like column, the field type's own
        parse_text and prepare_value, bound once: what `stored` calls, without its per-cell dispatch."""
        if self._cache is None and not self.links and self.field.type != "number":
            parse, prepare, f = self.type.parse_text, self.type.prepare_value, self.field
            if type(self.type).parse_text is FieldType.parse_text:
                # The base parse_text gives a non-empty text back as it is: only prepare_value has work to do.
                return partial(prepare, f), None

            def plain(text: str) -> Any:
                value = parse(f, text)
                return None if value is None else prepare(f, value)

            return plain, None
        return self.stored, self._cache

    def stored(self, text: str) -> Any:
        """The stored value (what insert_rows takes); raises FieldValueError."""
        cache = self._cache
        if cache is not None and text in cache:
            return cache[text]
        value = self.api_value(text)
        stored = None if value is None else self.type.prepare_value(self.field, value)
        # Only immutable values are shared between rows; refusals are not cached (each row reports its own).
        if cache is not None and len(cache) < CACHE_SIZE and not isinstance(stored, (list, dict)):
            cache[text] = stored
        return stored


def reason(exc: Exception) -> str:
    if isinstance(exc, FieldValueError):
        return exc.message
    return str(exc) or exc.__class__.__name__
