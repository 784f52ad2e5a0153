"""The duration field: stored as a JSON number of seconds, shown as "1:30", "2d 3h"...

Its formula type is "number" (seconds): formulas add and compare durations as numbers, which is what
Baserow's duration arithmetic amounts to until the formula language has a duration type.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Numeric, Text, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource

# Applied to lower-cased text without its sign. Mirrored in support_sql.ncdb_field_parse_duration.
_NUM = r"(\d+(?:\.\d+)?)"
SECONDS_PATTERN = rf"^{_NUM}$"
CLOCK_PATTERN = r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$"
DAYS_CLOCK_PATTERN = r"^(\d+)\s*d\s+(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$"
UNITS_PATTERN = (
    rf"^(?:{_NUM}\s*d(?:ays?)?)?\s*(?:{_NUM}\s*h(?:ours?)?)?\s*"
    rf"(?:{_NUM}\s*m(?:in(?:utes?)?)?)?\s*(?:{_NUM}\s*s(?:ec(?:onds?)?)?)?$"
)
MAX_SECONDS = Decimal(10) ** 12

# The precision each format keeps, in seconds: values are rounded to it when written.
PRECISION: dict[str, Decimal] = {
    "h:mm": Decimal(60),
    "h:mm:ss": Decimal(1),
    "h:mm:ss.s": Decimal("0.1"),
    "d h": Decimal(3600),
    "d h:mm": Decimal(60),
    "d h:mm:ss": Decimal(1),
}


class DurationOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    duration_format: Literal["h:mm", "h:mm:ss", "h:mm:ss.s", "d h", "d h:mm", "d h:mm:ss"] = "h:mm"


def _invalid(value: Any) -> FieldValueError:
    return FieldValueError(
        f"{str(value)[:50]!r} is not a valid duration: give seconds or text like 1:30, 1:30:15 or 2d 3h.",
        "invalid_duration",
    )


def parse_duration(text: str) -> Decimal:
    """Text -> seconds. Raises FieldValueError."""
    cleaned = text.strip().lower()
    negative = cleaned.startswith("-")
    if negative:
        cleaned = cleaned[1:].strip()
    parts: list[Decimal]
    weights: tuple[int, ...]
    if match := re.match(SECONDS_PATTERN, cleaned, re.ASCII):
        parts, weights = [Decimal(match[1])], (1,)
    elif match := re.match(CLOCK_PATTERN, cleaned, re.ASCII):
        parts, weights = [Decimal(g or 0) for g in match.groups()], (3600, 60, 1)
    else:
        match = re.match(DAYS_CLOCK_PATTERN, cleaned, re.ASCII) or re.match(UNITS_PATTERN, cleaned, re.ASCII)
        if not match or not any(match.groups()):
            raise _invalid(text)
        parts, weights = [Decimal(g or 0) for g in match.groups()], (86400, 3600, 60, 1)
    total = sum((p * w for p, w in zip(parts, weights, strict=True)), Decimal(0))
    if total >= MAX_SECONDS:
        raise _invalid(text)
    return -total if negative else total


def to_seconds(value: Any) -> Decimal:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool):
        raise _invalid(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _invalid(value)
    if isinstance(value, (int, float)):
        try:
            seconds = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise _invalid(value) from None
        if abs(seconds) >= MAX_SECONDS:
            raise _invalid(value)
        return seconds
    if isinstance(value, str):
        return parse_duration(value)
    raise _invalid(value)


def json_number(seconds: Decimal) -> int | float:
    return int(seconds) if seconds == seconds.to_integral_value() else float(seconds)


def format_duration(seconds: float, fmt: str) -> str:
    """Seconds -> display text; the same as ncdb_field_format_duration in SQL."""
    sign = "-" if seconds < 0 else ""
    rest = Decimal(repr(abs(seconds))).quantize(
        Decimal("0.1") if fmt == "h:mm:ss.s" else Decimal(1), rounding=ROUND_HALF_UP
    )
    days = Decimal(0)
    if fmt.startswith("d "):
        days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if fmt == "h:mm":
        return f"{sign}{hours}:{minutes:02}"
    if fmt == "h:mm:ss":
        return f"{sign}{hours}:{minutes:02}:{int(secs):02}"
    if fmt == "h:mm:ss.s":
        return f"{sign}{hours}:{minutes:02}:{secs:04.1f}"
    if fmt == "d h":
        return f"{sign}{days}d {hours}h"
    if fmt == "d h:mm":
        return f"{sign}{days}d {hours}:{minutes:02}"
    return f"{sign}{days}d {hours}:{minutes:02}:{int(secs):02}"


class DurationFieldType(FieldType):
    type = "duration"
    options_model = DurationOptions
    formula_type = "number"
    compare_as = "number"

    def format(self, f: Field) -> str:
        return str(f.options.get("duration_format", "h:mm"))

    def precision(self, f: Field) -> Decimal:
        return PRECISION.get(self.format(f), Decimal(1))

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        seconds = to_seconds(value)
        step = self.precision(f)
        rounded = (seconds / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
        return json_number(rounded)

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored if isinstance(stored, (int, float)) and not isinstance(stored, bool) else None

    def parse_text(self, f: Field, text: str) -> Any:
        if not text.strip():
            return None
        return json_number(parse_duration(text))

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return cast(row.data[f.key].astext, Numeric)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.ncdb_field_format_duration(self.sql_value(f, row), literal(self.format(f), Text))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        seconds = func.ncdb_field_parse_duration(text)
        step = literal(self.precision(f), Numeric)
        rounded = func.round(seconds / step) * step
        # round(x) * 0.1 keeps a long scale; a scale of 1 keeps the stored JSON short (5.5, not 5.50000).
        if self.format(f) == "h:mm:ss.s":
            rounded = func.round(seconds, 1)
        return case((seconds.is_not(None), func.to_jsonb(rounded)))
