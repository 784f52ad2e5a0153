"""Date and time functions. All calendar arithmetic is in UTC; unit and format arguments are checked
against allowlists (see registry.Param.choices and formula.datefmt)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from sqlalchemy import Boolean, Date, cast, func, null
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..datefmt import COMMON_MOMENT, COMMON_TO_CHAR, FormatError, check_to_char, moment_to_pg
from ..errors import FormulaError
from ..registry import CompileContext, CompileRule, FunctionDef, Typed
from ..types import BOOLEAN, DATE, DATETIME, NUMBER, TEXT, FormulaType
from ._define import P, define, simple

FUNCTIONS: list[FunctionDef] = []
C = "date"
TS = sqlx.TIMESTAMPTZ


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: canonical for canonical, aliases in table.items() for alias in (canonical, *aliases)}


# Airtable (moment.js) units. "M" is months and "m" minutes, so those two match case-sensitively.
UNITS = _aliases(
    {
        "milliseconds": ("ms", "millisecond"),
        "seconds": ("s", "second"),
        "minutes": ("minute",),
        "hours": ("h", "hour"),
        "days": ("d", "day"),
        "weeks": ("w", "week"),
        "months": ("month",),
        "quarters": ("q", "quarter"),
        "years": ("y", "year"),
    }
)
UNITS_EXACT = {"m": "minutes", "M": "months"}
# Baserow's date_diff units (SQL Server style names).
BASEROW_UNITS = _aliases(
    {
        "milliseconds": ("ms", "millisecond"),
        "seconds": ("ss", "s", "second"),
        "minutes": ("mi", "n", "minute"),
        "hours": ("hh", "hour"),
        "days": ("dd", "d", "day"),
        "weeks": ("wk", "ww", "week"),
        "months": ("mm", "month"),
        "quarters": ("qq", "q", "quarter"),
        "years": ("yy", "yyyy", "year"),
    }
)
# date_trunc's names, for IS_SAME.
TRUNC_UNITS = {alias: canonical.removesuffix("s") for alias, canonical in UNITS.items()}
TRUNC_EXACT = {k: v.removesuffix("s") for k, v in UNITS_EXACT.items()}
WEEK_STARTS = {"sunday": "sunday", "monday": "monday"}
_DAY_UNITS = {"days", "weeks", "months", "quarters", "years"}


def _utc(ts: ColumnElement) -> ColumnElement:
    return func.timezone(sqlx.text_lit("UTC"), ts, type_=sqlx.TIMESTAMP())


def _part(part: str) -> CompileRule:
    return simple(lambda ts: cast(func.extract(part, _utc(ts)), sqlx.NUMERIC))


for _name, _part_name, _ex in (
    ("YEAR", "year", "2024"),
    ("MONTH", "month", "3"),
    ("DAY", "day", "15"),
    ("HOUR", "hour", "14"),
    ("MINUTE", "minute", "30"),
):
    define(
        FUNCTIONS,
        _name,
        [P("date", "datetime")],
        NUMBER,
        _part(_part_name),
        f"The {_part_name} of a date (UTC).",
        [(f"{_name}({{Meeting}})", _ex)],
        category=C,
    )
define(
    FUNCTIONS,
    "SECOND",
    [P("date", "datetime")],
    NUMBER,
    simple(lambda ts: func.floor(func.extract("second", _utc(ts)), type_=sqlx.NUMERIC)),
    "The second of a date (UTC).",
    [("SECOND({Meeting})", "45")],
    category=C,
)


def _weekday(ts: ColumnElement, start: ColumnElement | None = None) -> ColumnElement:
    dow = cast(func.extract("dow", _utc(ts)), sqlx.NUMERIC)
    if start is None:
        return dow
    return _case_start(start, dow, sqlx.num("ncdb_f_mod", dow - sqlx.num_lit(1), sqlx.num_lit(7)))


def _case_start(start: ColumnElement, sunday: ColumnElement, monday: ColumnElement) -> ColumnElement:
    from sqlalchemy import case

    return case(
        (start == sqlx.text_lit("monday"), monday),
        (start == sqlx.text_lit("sunday"), sunday),
        else_=cast(null(), sqlx.NUMERIC),
    )


define(
    FUNCTIONS,
    "WEEKDAY",
    [P("date", "datetime"), P("start", "text", True, WEEK_STARTS)],
    NUMBER,
    simple(_weekday),
    "The day of the week, 0 (Sunday) to 6; with start 'Monday', 0 is Monday.",
    [("WEEKDAY({Due})", "5"), ("WEEKDAY({Due}, 'Monday')", "4")],
    category=C,
)


def _weeknum(ts: ColumnElement, start: ColumnElement | None = None) -> ColumnElement:
    # Week 1 contains January 1st; weeks start on Sunday (or Monday), as in spreadsheets.
    d = _utc(ts)
    doy = cast(func.extract("doy", d), sqlx.NUMERIC)
    jan1 = func.date_trunc("year", d)
    sunday = cast(func.extract("dow", jan1), sqlx.NUMERIC)
    monday = sqlx.num("ncdb_f_mod", sunday - sqlx.num_lit(1), sqlx.num_lit(7))
    offset = sunday if start is None else _case_start(start, sunday, monday)
    return func.floor((doy - sqlx.num_lit(1) + offset) / sqlx.num_lit(7), type_=sqlx.NUMERIC) + sqlx.num_lit(1)


define(
    FUNCTIONS,
    "WEEKNUM",
    [P("date", "datetime"), P("start", "text", True, WEEK_STARTS)],
    NUMBER,
    simple(_weeknum),
    "The week of the year (the week of January 1st is week 1; weeks start on Sunday, or Monday with start 'Monday').",
    [("WEEKNUM({Due})", "11"), ("WEEKNUM({Due}, 'Monday')", "11")],
    category=C,
)
define(
    FUNCTIONS,
    "TODAY",
    [],
    DATE,
    simple(lambda: sqlx.utc_date(func.now(type_=TS))),
    "Today's date (UTC) at the time the value is computed.",
    [("YEAR(TODAY()) >= 2024", True)],
    category=C,
    volatile=True,
)
define(
    FUNCTIONS,
    "NOW",
    [],
    DATETIME,
    simple(lambda: func.now(type_=TS)),
    "The current date and time, when the value is computed.",
    [("NOW() > {Meeting}", True)],
    category=C,
    volatile=True,
)


def _dateadd_type(args: list[Typed]) -> FormulaType:
    unit = args[2]
    if args[0].type == DATE and unit.is_literal:
        canonical = UNITS_EXACT.get(str(unit.literal)) or UNITS.get(str(unit.literal).lower())
        if canonical in _DAY_UNITS:
            return DATE
    return DATETIME


def _dateadd(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    result = sqlx.call("ncdb_f_dateadd", a[0], a[1], a[2], type_=TS)
    return sqlx.utc_date(result) if _dateadd_type(typed) == DATE else result


define(
    FUNCTIONS,
    "DATEADD",
    [P("date", "datetime"), P("count", "number"), P("unit", "text", False, UNITS, UNITS_EXACT)],
    _dateadd_type,
    _dateadd,
    "Adds count units (milliseconds, seconds, minutes, hours, days, weeks, months, quarters, years; "
    "moment.js abbreviations too) to a date. A date stays a date for whole-day units.",
    [
        ("DATEADD({Due}, 1, 'months')", "2024-04-15"),
        ("DATEADD({Meeting}, -30, 'minutes')", "2024-03-15T14:00:45Z"),
    ],
    category=C,
)


def _diff(a: ColumnElement, b: ColumnElement, unit: ColumnElement | None = None) -> ColumnElement:
    return sqlx.num("ncdb_f_datetime_diff", a, b, unit if unit is not None else sqlx.text_lit("seconds"))


define(
    FUNCTIONS,
    "DATETIME_DIFF",
    [P("date1", "datetime"), P("date2", "datetime"), P("unit", "text", True, UNITS, UNITS_EXACT)],
    NUMBER,
    simple(_diff),
    "date1 - date2 in whole units (default seconds), truncated toward zero.",
    [
        ("DATETIME_DIFF({Due}, '2024-03-01', 'days')", "14"),
        ("DATETIME_DIFF('2024-01-01', {Due}, 'months')", "-2"),
    ],
    category=C,
)
define(
    FUNCTIONS,
    "DATE_DIFF",
    [P("unit", "text", False, BASEROW_UNITS), P("start", "datetime"), P("end", "datetime")],
    NUMBER,
    simple(lambda unit, s, e: _diff(e, s, unit)),
    "Baserow: end - start in whole units ('yy', 'mm', 'dd', 'hh', 'mi', 'ss', or full names).",
    [("date_diff('dd', '2024-03-01', {Due})", "14")],
    category=C,
)


def _format_check(moment: bool, index: int) -> Callable[[list[Typed]], str | None]:
    def check(args: list[Typed]) -> str | None:
        if len(args) <= index:
            return None
        fmt = args[index]
        if not fmt.is_literal:
            return None
        try:
            (moment_to_pg if moment else check_to_char)(str(fmt.literal))
        except FormatError as exc:
            # Raised here rather than returned, so the position is the format's, not the call's.
            raise FormulaError(str(exc), fmt.node.pos, code=exc.code, params=exc.params) from None
        return None

    return check


def _format_arg(arg: ColumnElement, typed: Typed, moment: bool) -> ColumnElement:
    """A literal format is translated here; a computed one goes through a CASE over common formats."""
    translate = moment_to_pg if moment else check_to_char
    if typed.is_literal:
        return sqlx.text_lit(translate(str(typed.literal)))
    common = COMMON_MOMENT if moment else COMMON_TO_CHAR
    exact = {f: translate(f) for f in common}
    return sqlx.choice(arg, {}, exact)


def _format(moment: bool) -> CompileRule:
    def rule(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
        ts = a[0]
        if len(a) > 2:
            ts = sqlx.call("ncdb_f_set_timezone", ts, a[2], type_=TS)
        if len(a) == 1:
            return sqlx.txt("ncdb_f_datetime_text", ts)
        return sqlx.txt("ncdb_f_format", ts, _format_arg(a[1], typed[1], moment))

    return rule


define(
    FUNCTIONS,
    "DATETIME_FORMAT",
    [P("date", "datetime"), P("format", "text", True)],
    TEXT,
    _format(True),
    "Airtable: formats a date with moment.js codes (YYYY, MM, DD, HH, mm, ss, MMMM, dddd, Do, LL, ...; "
    "[text] is literal). The default is ISO 8601.",
    [
        ("DATETIME_FORMAT({Due}, 'DD/MM/YYYY')", "15/03/2024"),
        ("DATETIME_FORMAT({Meeting}, 'YYYY-MM-DD HH:mm')", "2024-03-15 14:30"),
        ("DATETIME_FORMAT({Meeting}, 'LL')", "March 15, 2024"),
    ],
    category=C,
    check=_format_check(True, 1),
    available="airtable",
)
define(
    FUNCTIONS,
    "DATETIME_FORMAT",
    [P("date", "datetime"), P("format", "text")],
    TEXT,
    _format(False),
    "Baserow: formats a date with PostgreSQL to_char codes (YYYY, MM, DD, HH24, MI, SS, Month, Day, ...).",
    [("datetime_format(field('Meeting'), 'YYYY-MM-DD HH24:MI')", "2024-03-15 14:30")],
    category=C,
    check=_format_check(False, 1),
    available="baserow",
)
define(
    FUNCTIONS,
    "DATETIME_FORMAT_TZ",
    [P("date", "datetime"), P("format", "text"), P("timezone", "text")],
    TEXT,
    _format(False),
    "Baserow: formats a date with to_char codes in a time zone.",
    [("datetime_format_tz({Meeting}, 'HH24:MI', 'Europe/Paris')", "15:30")],
    category=C,
    check=lambda args: _format_check(False, 1)(args) or _tz_check(2)(args),
)


def _parse(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    fmt = _format_arg(a[1], typed[1], True) if len(a) > 1 else cast(null(), sqlx.SQL_TYPES["text"])
    return sqlx.call("ncdb_f_parse_datetime", a[0], fmt, type_=TS)


define(
    FUNCTIONS,
    "DATETIME_PARSE",
    [P("text", "text"), P("format", "text", True), P("locale", "text", True)],
    DATETIME,
    _parse,
    "Reads a date from text, with a moment.js format or in any usual form (US order for 1/2/2024); "
    "empty when it is not a date. The locale is accepted and ignored.",
    [
        ("DATETIME_PARSE('15/03/2024 10:30', 'DD/MM/YYYY HH:mm')", "2024-03-15T10:30:00Z"),
        ("DATETIME_PARSE('2024-03-15')", "2024-03-15T00:00:00Z"),
        ("DATETIME_PARSE('nope')", None),
    ],
    category=C,
    check=_format_check(True, 1),
)


def _todate(ctx: CompileContext, a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    fmt = _format_arg(a[1], typed[1], False)
    return sqlx.utc_date(sqlx.call("ncdb_f_parse_datetime", a[0], fmt, type_=TS))


define(
    FUNCTIONS,
    "TODATE",
    [P("text", "text"), P("format", "text")],
    DATE,
    _todate,
    "Baserow: reads a date from text with a to_char format (e.g. 'DD-MM-YYYY'); empty when it does not fit.",
    [("todate('15-03-2024', 'DD-MM-YYYY')", "2024-03-15"), ("todate('x', 'YYYY')", None)],
    category=C,
    check=_format_check(False, 1),
)
define(
    FUNCTIONS,
    "DATESTR",
    [P("date", "date")],
    TEXT,
    simple(lambda d: sqlx.txt("ncdb_f_date_text", d)),
    "The date as YYYY-MM-DD.",
    [("DATESTR({Meeting})", "2024-03-15")],
    category=C,
)
define(
    FUNCTIONS,
    "TIMESTR",
    [P("date", "datetime")],
    TEXT,
    simple(lambda ts: sqlx.txt("ncdb_f_format", ts, sqlx.text_lit("HH24:MI:SS"))),
    "The time as HH:mm:ss (UTC).",
    [("TIMESTR({Meeting})", "14:30:45")],
    category=C,
)
define(
    FUNCTIONS,
    "WORKDAY",
    [P("date", "date"), P("days", "number"), P("holidays", "text", True)],
    DATE,
    simple(
        lambda d, n, h=None: sqlx.call("ncdb_f_workday", d, n, h if h is not None else sqlx.text_lit(""), type_=Date())
    ),
    "The date days working days (Monday to Friday) after date, skipping holidays (dates separated by "
    "commas). At most 100,000 days.",
    [("WORKDAY({Due}, 1)", "2024-03-18"), ("WORKDAY({Due}, 1, '2024-03-18')", "2024-03-19")],
    category=C,
)
define(
    FUNCTIONS,
    "WORKDAY_DIFF",
    [P("start", "date"), P("end", "date"), P("holidays", "text", True)],
    NUMBER,
    simple(lambda s, e, h=None: sqlx.num("ncdb_f_workday_diff", s, e, h if h is not None else sqlx.text_lit(""))),
    "The number of working days from start to end, both included, minus holidays.",
    [("WORKDAY_DIFF('2024-03-11', {Due})", "5"), ("WORKDAY_DIFF('2024-03-11', {Due}, '2024-03-12')", "4")],
    category=C,
)


def _same(a: ColumnElement, b: ColumnElement, unit: ColumnElement | None = None) -> ColumnElement:
    if unit is None:
        return func.coalesce(a == b, False, type_=Boolean())
    ta = func.date_trunc(unit, _utc(a), type_=sqlx.TIMESTAMP())
    tb = func.date_trunc(unit, _utc(b), type_=sqlx.TIMESTAMP())
    return func.coalesce(ta == tb, False, type_=Boolean())


define(
    FUNCTIONS,
    "IS_SAME",
    [P("date1", "datetime"), P("date2", "datetime"), P("unit", "text", True, TRUNC_UNITS, TRUNC_EXACT)],
    BOOLEAN,
    simple(_same),
    "Whether two dates are the same, or in the same unit (year, month, day, ...).",
    [("IS_SAME({Meeting}, {Due}, 'day')", True), ("IS_SAME({Meeting}, {Due})", False)],
    category=C,
)
define(
    FUNCTIONS,
    "IS_BEFORE",
    [P("date1", "datetime"), P("date2", "datetime")],
    BOOLEAN,
    simple(lambda a, b: func.coalesce(a < b, False, type_=Boolean())),
    "Whether date1 is before date2.",
    [("IS_BEFORE({Due}, {Meeting})", True)],
    category=C,
)
define(
    FUNCTIONS,
    "IS_AFTER",
    [P("date1", "datetime"), P("date2", "datetime")],
    BOOLEAN,
    simple(lambda a, b: func.coalesce(a > b, False, type_=Boolean())),
    "Whether date1 is after date2.",
    [("IS_AFTER({Due}, {Meeting})", False)],
    category=C,
)


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _tz_check(index: int) -> Callable[[list[Typed]], str | None]:
    def check(args: list[Typed]) -> str | None:
        if len(args) > index and args[index].is_literal and str(args[index].literal) not in _zones():
            message = f"unknown time zone {args[index].literal!r} (expected a name like 'Europe/Paris')"
            raise FormulaError(
                message,
                args[index].node.pos,
                code="unknown_timezone",
                params={"timezone": str(args[index].literal)},
            )
        return None

    return check


define(
    FUNCTIONS,
    "SET_TIMEZONE",
    [P("date", "datetime"), P("timezone", "text")],
    DATETIME,
    simple(lambda ts, tz: sqlx.call("ncdb_f_set_timezone", ts, tz, type_=TS)),
    "The wall-clock time of the date in a time zone (as a UTC value), so DATETIME_FORMAT, HOUR, ... "
    "show local time: DATETIME_FORMAT(SET_TIMEZONE({Meeting}, 'Europe/Paris'), 'HH:mm').",
    [("DATETIME_FORMAT(SET_TIMEZONE({Meeting}, 'Europe/Paris'), 'HH:mm')", "15:30")],
    category=C,
    check=_tz_check(1),
)
define(
    FUNCTIONS,
    "SET_LOCALE",
    [P("date", "datetime"), P("locale", "text")],
    DATETIME,
    simple(lambda ts, loc: ts),
    "Accepted for compatibility; formatting is always English, so the date is unchanged.",
    [("SET_LOCALE({Meeting}, 'fr')", "2024-03-15T14:30:45Z")],
    category=C,
)


def _days_from_now(sign: int) -> CompileRule:
    def build(ts: ColumnElement) -> ColumnElement:
        a, b = (ts, func.now(type_=TS)) if sign > 0 else (func.now(type_=TS), ts)
        return sqlx.num("ncdb_f_datetime_diff", a, b, sqlx.text_lit("days"))

    return simple(build)


define(
    FUNCTIONS,
    "FROMNOW",
    [P("date", "datetime")],
    NUMBER,
    _days_from_now(1),
    "Whole days from now until the date (negative when it is past).",
    [("FROMNOW({Due}) < 0", True)],
    category=C,
    volatile=True,
)
define(
    FUNCTIONS,
    "TONOW",
    [P("date", "datetime")],
    NUMBER,
    _days_from_now(-1),
    "Whole days from the date until now (positive when it is past).",
    [("TONOW({Due}) > 0", True)],
    category=C,
    volatile=True,
)
