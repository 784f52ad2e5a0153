"""The date field (with or without time): stored as ISO text in UTC, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ".

ISO text sorts in time order, so sorting needs no cast; reading casts to DATE or TIMESTAMPTZ. The text
forms people type (31/12/2024, 12/31/2024 10:00 PM) are parsed the same way in Python (imports) and in
SQL (type changes), by the PL/pgSQL helper ncdb_field_parse_date in fields.support_sql.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import TIMESTAMP, Date, Text, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource

# Groups: 1-3 date, 4 hour, 5 minute, 6 second, 7 am/pm, 8 offset (ISO only). Mirrored in support_sql.
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?"
ISO_PATTERN = r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
LOCAL_PATTERN = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + r")?$"
ISO_RE = re.compile(ISO_PATTERN, re.ASCII)
LOCAL_RE = re.compile(LOCAL_PATTERN, re.ASCII)

DATE_FORMATS = {"EU": "DD/MM/YYYY", "US": "MM/DD/YYYY", "ISO": "YYYY-MM-DD"}
TIME_FORMATS = {"24": "HH24:MI", "12": "HH12:MI AM"}


class DateOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    date_format: Literal["EU", "US", "ISO"] = "EU"
    date_include_time: bool = False
    date_time_format: Literal["24", "12"] = "24"
    date_force_timezone: str | None = None
    date_show_tzinfo: bool = False

    @field_validator("date_force_timezone")
    @classmethod
    def known_timezone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value[:60]!r} is not a known time zone.") from None
        return value


def zone(f: Field) -> ZoneInfo:
    name = f.options.get("date_force_timezone")
    return ZoneInfo(name) if name else ZoneInfo("UTC")


def zone_name(f: Field) -> str:
    return f.options.get("date_force_timezone") or "UTC"


def include_time(f: Field) -> bool:
    return bool(f.options.get("date_include_time", False))


def _offset(text: str) -> timedelta:
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))


def parse_date(text: str, *, with_time: bool, tz: ZoneInfo, day_first: bool, local: bool) -> str:
    """Text -> the stored form. Naive times are in `tz`. Raises FieldValueError."""
    text = text.strip()
    match = ISO_RE.match(text)
    if match:
        year, month, day = (int(g) for g in match.group(1, 2, 3))
    else:
        match = LOCAL_RE.match(text) if local else None
        if not match:
            raise FieldValueError(f"{text[:50]!r} is not a valid date.", "invalid_date")
        first, second, year = (int(g) for g in match.group(1, 2, 3))
        day, month = (first, second) if day_first else (second, first)
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
    groups = match.groups() + (None,) * (8 - len(match.groups()))
    hour, minute, second_ = (int(g or 0) for g in groups[3:6])
    ampm, offset = groups[6], groups[7]
    try:
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        # Checked even when the time is dropped: "31/12/2024 29:00" is not a date someone meant.
        if hour > 23 or minute > 59 or second_ > 59:
            raise ValueError
        if not with_time:
            return date(year, month, day).isoformat()
        moment = datetime(year, month, day, hour, minute, second_)
        local = moment.replace(tzinfo=tz)
        utc = moment - _offset(offset) if offset else local.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise FieldValueError(f"{text[:50]!r} is not a valid date.", "invalid_date") from None
    return format_utc(utc)


def format_utc(moment: datetime) -> str:
    """A UTC datetime (aware or naive UTC) -> "YYYY-MM-DDTHH:MM:SSZ"."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment:%H:%M:%S}Z"


def stored_to_api(f: Field, stored: Any) -> Any:
    """Fits the stored form to the options, which may have changed since the value was written."""
    if not isinstance(stored, str) or not stored:
        return None
    if include_time(f):
        return stored if "T" in stored else f"{stored}T00:00:00Z"
    return stored[:10]


def display_format(f: Field) -> str:
    fmt = DATE_FORMATS[f.options.get("date_format", "EU")]
    if include_time(f):
        fmt += " " + TIME_FORMATS[f.options.get("date_time_format", "24")]
    return fmt


def timestamp_text_sql(f: Field, moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """A TIMESTAMPTZ -> display text in the field's format and time zone, whatever the session's zone."""
    local = func.timezone(literal(zone_name(f), Text), moment)
    if include_time(f):
        return func.to_char(local, literal(display_format(f), Text))
    return func.to_char(cast(local, Date), literal(display_format(f), Text))


class DateFieldType(FieldType):
    type = "date"
    options_model = DateOptions
    formula_type = "date"
    compare_as = "date"

    def field_formula_type(self, f: Field) -> str:
        """The formula type of this field: "datetime" when it has a time, else "date"."""
        return "datetime" if include_time(f) else "date"

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            value = format_utc(value) if value.tzinfo else value.isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise FieldValueError("Expected a date as ISO text (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).")
        return parse_date(value, with_time=include_time(f), tz=zone(f), day_first=True, local=False)

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored_to_api(f, stored)

    def parse_text(self, f: Field, text: str) -> Any:
        if not text.strip():
            return None
        day_first = f.options.get("date_format", "EU") != "US"
        return parse_date(text, with_time=include_time(f), tz=zone(f), day_first=day_first, local=True)

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        text = row.data[f.key].astext
        if include_time(f):
            # ::timestamp ignores the "Z"; the stored wall time is UTC.
            return func.timezone(literal("UTC", Text), cast(text, TIMESTAMP))
        return cast(text, Date)

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return row.data[f.key].astext.collate("C")

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        if include_time(f):
            return timestamp_text_sql(f, self.sql_value(f, row))
        # A date without time is a calendar day, not a moment: no time zone shift.
        return func.to_char(cast(row.data[f.key].astext, Date), literal(display_format(f), Text))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        day_first = f.options.get("date_format", "EU") != "US"
        return func.ncdb_field_parse_date(
            text, literal(day_first), literal(include_time(f)), literal(zone_name(f), Text)
        )
