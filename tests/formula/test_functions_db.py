"""Every registered function, run on PostgreSQL: its documented examples plus the extra cases below.
A function without any case fails the suite."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from formula import FUNCTIONS

from .sample import evaluate

# Cases beyond the documented examples: key (name or name@dialect) -> [(formula, expected)].
EXTRA: dict[str, list[tuple[str, Any]]] = {
    "LEFT": [("LEFT({Empty}, 2)", None), ("LEFT('abc', 1e20)", "abc")],
    "MID": [("MID('abc', 0, 2)", None), ("MID('abc', 2, -1)", None)],
    "REPT": [("REPT('x', 1e9)", None), ("REPT('x', -1)", None), ("REPT('x', 0)", "")],
    "SUBSTITUTE": [("SUBSTITUTE('aaa', 'a', 'b', 5)", "aaa"), ("SUBSTITUTE('abc', '', 'x')", "abc")],
    "REGEX_EXTRACT": [("REGEX_EXTRACT('abc', '[')", None), ("REGEX_EXTRACT('abc', 'x')", None)],
    "REGEX_REPLACE": [("REGEX_REPLACE('abc', '(', 'x')", None)],
    "VALUE": [("VALUE('1e999999')", None), ("VALUE('NaN')", None), ("VALUE('-3.50')", "-3.5")],
    "ROUND": [("ROUND(1.5, 1e12)", "1.5"), ("ROUND({Price})", "4")],
    "POWER": [("POWER(0, -1)", None), ("POWER(-8, 0.5)", None)],
    "LOG@airtable": [("LOG(0)", None), ("LOG(-1)", None), ("LOG(8, 1)", None)],
    "DATEADD": [
        ("DATEADD({Due}, 1e8, 'years')", None),
        ("DATEADD({Due}, 2, 'w')", "2024-03-29"),
        ("DATEADD({Meeting}, 1, 'M')", "2024-04-15T14:30:45Z"),
        ("DATEADD({Meeting}, 1, 'm')", "2024-03-15T14:31:45Z"),
        ("DATEADD({Due}, 1, IF({Done}, 'days', 'hours'))", "2024-03-16T00:00:00Z"),
        ("DATEADD({Due}, 1, {Name})", None),
    ],
    "DATETIME_DIFF": [
        ("DATETIME_DIFF({Meeting}, {Due})", "52245"),
        ("DATETIME_DIFF({Meeting}, {Due}, 'h')", "14"),
    ],
    "DATETIME_FORMAT@airtable": [
        ("DATETIME_FORMAT({Meeting})", "2024-03-15T14:30:45Z"),
        ("DATETIME_FORMAT({Meeting}, '[Week] w, dddd Do MMMM')", "Week 11, Friday 15th March"),
        ("DATETIME_FORMAT({Due}, IF({Done}, 'DD/MM/YYYY', 'x'))", "15/03/2024"),
        ("DATETIME_FORMAT({Due}, IF({Done}, 'x', 'YYYY'))", None),
    ],
    "DATETIME_PARSE": [
        ("DATETIME_PARSE('2024-02-30')", None),
        ("DATETIME_PARSE('31/31/2024', 'DD/MM/YYYY')", None),
    ],
    "TODATE": [("todate('2024-13-45', 'YYYY-MM-DD')", None)],
    "SET_TIMEZONE": [("SET_TIMEZONE({Meeting}, IF({Done}, 'Nowhere/City', 'UTC'))", None)],
    "IF": [("IF({Done}, {Due}, {Meeting})", "2024-03-15T00:00:00Z"), ("IF({Done}, 1, 'a')", "1")],
    "ARRAYSLICE": [("ARRAYSLICE(IF(FALSE(), {Tags}), 1)", None), ("ARRAYSLICE({Tags}, 10)", [])],
    "SUM": [("SUM({Missing})", "0"), ("SUM(1e308, 1e308)", None)],
    "WORKDAY": [("WORKDAY({Due}, 1e12)", None)],
}

OPERATOR_CASES: list[tuple[str, Any]] = [
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("10 / 4", "2.5"),
    ("1 / 0", None),
    ("{Price} / {Missing}", None),
    ("{Price} + {Missing}", "3.5"),
    ("{Missing} * 2", "0"),
    ("-{Price}", "-3.5"),
    ("'a' & 1 & TRUE", "a1true"),
    ("1 + 2 & 'x'", "3x"),
    ("'a' + 'b'", "ab"),
    ("{Empty} & 'x'", "x"),
    ("{Name} = 'Ada Lovelace'", True),
    ("{Empty} = ''", True),
    ("{Empty} = BLANK()", True),
    ("{Price} = BLANK()", False),
    ("{Price} > {Missing}", False),
    ("{Price} < {Missing}", False),
    ("{Price} <> 3.5", False),
    ("{Due} < {Meeting}", True),
    ("{Due} = '2024-03-15'", True),
    ("{Status} = 'In progress'", True),
    ("{Done} = TRUE", True),
    ("1e308 * 10", None),
    ("1e300 * 1e300", None),
    ("{Tags}", ["red", "green", "red", ""]),
    ("{Meeting}", "2024-03-15T14:30:45Z"),
    ("{Due}", "2024-03-15"),
    ("{Qty}", "4"),
]


def _cases() -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for fn in FUNCTIONS:
        for formula_text, expected in [*fn.examples, *EXTRA.get(fn.key, [])]:
            out.append((fn.key, formula_text, expected))
    return out


def test_every_function_has_a_case() -> None:
    missing = [fn.key for fn in FUNCTIONS if not fn.examples]
    assert missing == []
    unknown = set(EXTRA) - {fn.key for fn in FUNCTIONS}
    assert unknown == set()


@pytest.mark.parametrize(("key", "formula_text", "expected"), _cases(), ids=lambda v: str(v)[:60])
async def test_function_case(conn: AsyncConnection, key: str, formula_text: str, expected: Any) -> None:
    assert await evaluate(conn, formula_text) == expected


@pytest.mark.parametrize(("formula_text", "expected"), OPERATOR_CASES)
async def test_operator_case(conn: AsyncConnection, formula_text: str, expected: Any) -> None:
    assert await evaluate(conn, formula_text) == expected
