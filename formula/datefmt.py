"""Date format codes: moment.js (Airtable) and PostgreSQL to_char (Baserow), both checked against an
allowlist. The result is a to_char pattern that reaches SQL as a bound parameter, never as SQL text."""

from __future__ import annotations

import re

# moment.js token -> to_char pattern. Longest tokens first. "FM" drops padding (moment's single letters).
_MOMENT: list[tuple[str, str]] = [
    ("YYYY", "YYYY"),
    ("YY", "YY"),
    ("Q", "Q"),
    ("MMMM", "FMMonth"),
    ("MMM", "Mon"),
    ("MM", "MM"),
    ("Mo", "FMMMth"),
    ("M", "FMMM"),
    ("DDDD", "DDD"),
    ("DDD", "FMDDD"),
    ("Do", "FMDDth"),
    ("DD", "DD"),
    ("D", "FMDD"),
    ("dddd", "FMDay"),
    ("ddd", "Dy"),
    ("HH", "HH24"),
    ("H", "FMHH24"),
    ("hh", "HH12"),
    ("h", "FMHH12"),
    ("mm", "MI"),
    ("m", "FMMI"),
    ("ss", "SS"),
    ("s", "FMSS"),
    ("SSS", "MS"),
    ("A", "AM"),
    ("a", "am"),
    ("ww", "IW"),
    ("w", "FMIW"),
    ("WW", "IW"),
    ("W", "FMIW"),
    ("ZZ", '"+0000"'),
    ("Z", '"+00:00"'),
    ("LLLL", "FMDay, FMMonth FMDD, YYYY FMHH12:MI AM"),
    ("LLL", "FMMonth FMDD, YYYY FMHH12:MI AM"),
    ("LL", "FMMonth FMDD, YYYY"),
    ("LTS", "FMHH12:MI:SS AM"),
    ("LT", "FMHH12:MI AM"),
    ("L", "MM/DD/YYYY"),
    ("llll", "Dy, Mon FMDD, YYYY FMHH12:MI AM"),
    ("lll", "Mon FMDD, YYYY FMHH12:MI AM"),
    ("ll", "Mon FMDD, YYYY"),
    ("l", "FMMM/FMDD/YYYY"),
]
_MOMENT.sort(key=lambda p: -len(p[0]))
_MOMENT_MAP = dict(_MOMENT)
_MOMENT_RE = re.compile(r"\[([^\]]*)\]|" + "|".join(re.escape(t) for t, _ in _MOMENT) + r"|([A-Za-z])|(.)", re.S)

# to_char patterns (Baserow passes these through). Case matters for names (Month, MONTH, month).
_TO_CHAR = [
    "HH24",
    "HH12",
    "HH",
    "MI",
    "SS",
    "MS",
    "US",
    "SSSSS",
    "SSSS",
    "AM",
    "am",
    "PM",
    "pm",
    "A.M.",
    "a.m.",
    "P.M.",
    "p.m.",
    "Y,YYY",
    "YYYY",
    "YYY",
    "YY",
    "Y",
    "IYYY",
    "IYY",
    "IY",
    "I",
    "BC",
    "bc",
    "AD",
    "ad",
    "MONTH",
    "Month",
    "month",
    "MON",
    "Mon",
    "mon",
    "MM",
    "DAY",
    "Day",
    "day",
    "DY",
    "Dy",
    "dy",
    "DDD",
    "IDDD",
    "DD",
    "D",
    "ID",
    "W",
    "WW",
    "IW",
    "CC",
    "J",
    "Q",
    "RM",
    "rm",
    "TZH",
    "TZM",
    "TZ",
    "tz",
    "OF",
]
_TO_CHAR.sort(key=lambda p: -len(p))
_TO_CHAR_RE = re.compile(
    r'"(?:\\.|[^"\\])*"|(?:FM|fm)?(?:' + "|".join(re.escape(t) for t in _TO_CHAR) + r")(?:TH|th)?|([A-Za-z])|(.)",
    re.S,
)

MAX_FORMAT = 200

# Formats allowed when the format is computed (not a literal): compiled to a CASE over these.
COMMON_MOMENT = [
    "YYYY-MM-DD",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "D/M/YYYY",
    "M/D/YYYY",
    "DD.MM.YYYY",
    "YYYY-MM-DD HH:mm",
    "YYYY-MM-DD HH:mm:ss",
    "DD/MM/YYYY HH:mm",
    "MM/DD/YYYY h:mm A",
    "HH:mm",
    "HH:mm:ss",
    "h:mm A",
    "LL",
    "LLL",
    "L",
    "LT",
    "MMMM D, YYYY",
    "D MMMM YYYY",
    "MMM D, YYYY",
    "dddd",
    "MMMM",
    "YYYY",
    "MM",
    "DD",
    "Do",
]
COMMON_TO_CHAR = [
    "YYYY-MM-DD",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "DD.MM.YYYY",
    "YYYY-MM-DD HH24:MI",
    "YYYY-MM-DD HH24:MI:SS",
    "DD/MM/YYYY HH24:MI",
    "HH24:MI",
    "HH24:MI:SS",
    "HH12:MI AM",
    "FMMonth FMDD, YYYY",
    "FMDay",
    "FMMonth",
    "YYYY",
    "MM",
    "DD",
]


class FormatError(ValueError):
    """A date format the formula cannot use; ``code`` and ``params`` as for FormulaError (errors.py)."""

    def __init__(self, message: str, code: str, params: dict[str, str | int]) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def moment_to_pg(fmt: str) -> str:
    """Translate a moment.js format; raises FormatError on letters that are not a known token."""
    if len(fmt) > MAX_FORMAT:
        raise FormatError(
            f"the format is longer than {MAX_FORMAT} characters", "date_format_too_long", {"max": MAX_FORMAT}
        )
    out: list[str] = []
    literal: list[str] = []
    for m in _MOMENT_RE.finditer(fmt):
        escaped, stray, other = m.group(1), m.group(2), m.group(3)
        if escaped is not None:
            literal.append(escaped)
            continue
        if stray is not None:
            raise FormatError(
                f"unknown format code {stray!r} in {fmt!r}", "date_format_unknown_code", {"code": stray, "format": fmt}
            )
        if other is not None:
            literal.append(other)
            continue
        if literal:
            out.append(_quote("".join(literal)))
            literal = []
        out.append(_MOMENT_MAP[m.group(0)])
    if literal:
        out.append(_quote("".join(literal)))
    return "".join(out)


def check_to_char(fmt: str) -> str:
    """Check a PostgreSQL to_char format against the allowlist; returns it unchanged."""
    if len(fmt) > MAX_FORMAT:
        raise FormatError(
            f"the format is longer than {MAX_FORMAT} characters", "date_format_too_long", {"max": MAX_FORMAT}
        )
    for m in _TO_CHAR_RE.finditer(fmt):
        if m.group(1) is not None:
            raise FormatError(
                f"unknown format code {m.group(1)!r} in {fmt!r}",
                "date_format_unknown_code",
                {"code": m.group(1), "format": fmt},
            )
    return fmt
