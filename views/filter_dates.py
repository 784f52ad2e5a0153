"""Date filters: Baserow's multi-step filters (date_is, date_is_before, ... with an operator) and the
older single-date ones (date_equal, date_before, ...).

Values are written as Baserow writes them: "<time zone>?<value>?<operator>", e.g.
"Europe/Paris?2024-05-01?exact_date", "UTC??today", "Europe/Paris?3?nr_days_ago". The older filters take
"<time zone>?<date>" or just "<date>". Every operator names a range of local days [start, end); the
time zone says which day "today" is, and, for fields with a time, where a day begins. Weeks start on
Monday. A value that does not parse makes the condition inactive.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Date, DateTime, and_, literal, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, RowSource
from views.filter_scalar import is_false
from views.filters import Compiling, FilterType

NO_VALUE_OPERATORS = {
    "today",
    "yesterday",
    "tomorrow",
    "one_week_ago",
    "this_week",
    "next_week",
    "one_month_ago",
    "this_month",
    "next_month",
    "one_year_ago",
    "this_year",
    "next_year",
}
NUMBER_OPERATORS = {
    "nr_days_ago",
    "nr_days_from_now",
    "nr_weeks_ago",
    "nr_weeks_from_now",
    "nr_months_ago",
    "nr_months_from_now",
    "nr_years_ago",
    "nr_years_from_now",
}
OPERATORS = NO_VALUE_OPERATORS | NUMBER_OPERATORS | {"exact_date"}
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class DateValue:
    zone: zoneinfo.ZoneInfo
    operator: str
    argument: str


def parse_value(value: str, *, legacy: bool = False) -> DateValue | None:
    parts = value.split("?")
    if legacy or len(parts) < 3:
        zone_name, argument = (parts[0], parts[1]) if len(parts) >= 2 else ("UTC", parts[0])
        operator = "exact_date"
    else:
        zone_name, argument, operator = parts[0], parts[1], parts[2]
    try:
        zone = zoneinfo.ZoneInfo(zone_name.strip() or "UTC")
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None
    if operator not in OPERATORS:
        return None
    return DateValue(zone, operator, argument.strip())


def _month_start(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def day_range(value: DateValue, now: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """The local days [start, end) the operator names, or None when its argument does not parse."""
    today = now.astimezone(value.zone).date()
    week = today - dt.timedelta(days=today.weekday())
    op = value.operator
    try:
        if op == "exact_date":
            day = dt.date.fromisoformat(value.argument[:10])
            return day, day + dt.timedelta(days=1)
        if op in NUMBER_OPERATORS:
            if not (value.argument.isascii() and value.argument.isdigit()) or int(value.argument) > MAX_OFFSET:
                return None
            n = int(value.argument) * (-1 if op.endswith("_ago") else 1)
            op = {"days": "day", "weeks": "week", "months": "month", "years": "year"}[op.split("_")[1]]
        else:
            shifts = {"one": -1, "this": 0, "next": 1, "today": 0, "yesterday": -1, "tomorrow": 1}
            n = shifts[op.split("_")[0]]
            parts = op.split("_")
            op = {"today": "day", "yesterday": "day", "tomorrow": "day"}.get(
                op, parts[1] if len(parts) == 3 else parts[-1]
            )
        if op == "day":
            start = today + dt.timedelta(days=n)
            return start, start + dt.timedelta(days=1)
        if op == "week":
            start = week + dt.timedelta(weeks=n)
            return start, start + dt.timedelta(weeks=1)
        if op == "month":
            return _month_start(today, n), _month_start(today, n + 1)
        if op == "year":
            return dt.date(today.year + n, 1, 1), dt.date(today.year + n + 1, 1, 1)
    except (ValueError, OverflowError, KeyError):
        return None
    return None


def has_time(field_type: FieldType, f: Field) -> bool:
    typing = getattr(field_type, "field_formula_type", None)
    kind = typing(f) if callable(typing) else field_type.formula_type
    return kind == "datetime"


def bound(field_type: FieldType, f: Field, day: dt.date, zone: zoneinfo.ZoneInfo) -> Any:
    """A local day as the field's SQL compares it: the date, or the moment the day starts in `zone`."""
    if has_time(field_type, f):
        return literal(dt.datetime(day.year, day.month, day.day, tzinfo=zone), DateTime(timezone=True))
    return literal(day, Date)


Compare = Callable[[ColumnElement[Any], Any, Any, dt.date], ColumnElement[bool]]


class _DateFilter(FilterType):
    applies_to = frozenset({"date"})
    legacy: ClassVar[bool] = False
    negate: ClassVar[bool] = False
    # (value, start bound, end bound, today's bound) -> condition
    compare: ClassVar[Compare]

    def compile(
        self, field_type: FieldType, f: Field, row: RowSource, value: str, env: Compiling
    ) -> ColumnElement[bool]:
        parsed = parse_value(value, legacy=self.legacy)
        days = day_range(parsed, env.now) if parsed else None
        if parsed is None or days is None:
            return true()
        today = env.now.astimezone(parsed.zone).date()
        start, end = (bound(field_type, f, d, parsed.zone) for d in days)
        today_range = (
            bound(field_type, f, today, parsed.zone),
            bound(field_type, f, today + dt.timedelta(1), parsed.zone),
        )
        limits = (start, end, today, today_range, days)
        condition = type(self).compare(field_type.sql_value(f, row), *limits)
        return is_false(condition) if self.negate else condition


def _within(v: Any, start: Any, end: Any, today: dt.date, today_range: Any, days: Any) -> Any:
    """From today to the end of the operator's range; or, for a past range, from its start to today."""
    if days[1] > today:
        return and_(v >= today_range[0], v < end)
    return and_(v >= start, v < today_range[1])


def _filter(name: str, compare: Any, *, legacy: bool = False, negate: bool = False) -> type[_DateFilter]:
    return type(
        f"DateFilter_{name}",
        (_DateFilter,),
        {"type": name, "compare": staticmethod(compare), "legacy": legacy, "negate": negate},
    )


def _is(v: Any, s: Any, e: Any, *_: Any) -> Any:
    return and_(v >= s, v < e)


DATE_FILTERS: list[type[FilterType]] = [
    _filter("date_is", _is),
    _filter("date_is_not", _is, negate=True),
    _filter("date_is_before", lambda v, s, e, *_: v < s),
    _filter("date_is_on_or_before", lambda v, s, e, *_: v < e),
    _filter("date_is_after", lambda v, s, e, *_: v >= e),
    _filter("date_is_on_or_after", lambda v, s, e, *_: v >= s),
    _filter("date_is_within", _within),
    _filter("date_equal", _is, legacy=True),
    _filter("date_not_equal", _is, legacy=True, negate=True),
    _filter("date_before", lambda v, s, e, *_: v < s, legacy=True),
    _filter("date_before_or_equal", lambda v, s, e, *_: v < e, legacy=True),
    _filter("date_after", lambda v, s, e, *_: v >= e, legacy=True),
    _filter("date_after_or_equal", lambda v, s, e, *_: v >= s, legacy=True),
]
