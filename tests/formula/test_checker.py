"""Type checking: types of results, and refusals that name the position and what was expected."""

from __future__ import annotations

import pytest
from sqlalchemy import column

from formula import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    SINGLE_SELECT,
    TEXT,
    FormulaError,
    FormulaType,
    ResolvedField,
    array_of,
    make_resolver,
    parse,
    typecheck,
)

FIELDS = {
    "Name": TEXT,
    "Price": NUMBER,
    "Done": BOOLEAN,
    "Due": DATE,
    "Meeting": DATETIME,
    "Status": SINGLE_SELECT,
    "Tags": array_of(TEXT),
}
RESOLVER = make_resolver([ResolvedField(i, n, t, column(f"c{i}")) for i, (n, t) in enumerate(FIELDS.items())])


def type_of(text: str) -> FormulaType:
    return typecheck(parse(text), RESOLVER).type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + {Price}", NUMBER),
        ("{Name} & 1", TEXT),
        ("{Price} > 1", BOOLEAN),
        ("if({Done}, 1, 2)", NUMBER),
        ("IF({Done}, {Due}, {Meeting})", DATETIME),
        ("IF({Done}, 1, 'x')", TEXT),
        ("IF({Done}, {Due}, BLANK())", DATE),
        ("DATEADD({Due}, 1, 'days')", DATE),
        ("DATEADD({Due}, 1, 'hours')", DATETIME),
        ("ARRAYUNIQUE({Tags})", array_of(TEXT)),
        ("index({Tags}, 0)", TEXT),
        ("UPPER({Status})", TEXT),
        ("BLANK()", FormulaType("blank")),
        ("filter({Tags}, {Tags} = 'red')", array_of(TEXT)),
        ("filter({Tags}, LEN({Tags}) > 2)", array_of(TEXT)),
    ],
)
def test_result_types(text: str, expected: FormulaType) -> None:
    assert type_of(text) == expected


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("LEFT({Name}, 'x')", 13, "LEFT expects a number for count, got text"),
        ("1 + {Name} * 2", 4, "* expects a number for operand, got text"),
        ("ABS(1, 2)", 0, "ABS expects 1 argument, got 2: ABS(number)"),
        ("MID('a')", 0, "MID expects 3 arguments, got 1"),
        ("NOPE(1)", 0, "unknown function NOPE"),
        ("{Nope} + 1", 0, "field 'Nope' does not exist"),
        ("DATEADD({Due}, 1, 'fortnights')", 18, "DATEADD does not know unit 'fortnights'"),
        ("DATETIME_FORMAT({Due}, 'YYYY-qq')", 23, "unknown format code 'q'"),
        ("SET_TIMEZONE({Meeting}, 'Mars/Olympus')", 24, "unknown time zone 'Mars/Olympus'"),
        ("IF({Done}, {Tags}, 1)", 0, "compatible types"),
        ("ARRAYJOIN({Name})", 10, "expects an array"),
        ("{Tags} < 1", 0, "expects a single value"),
        ("SWITCH(1)", 0, "SWITCH expects at least 2 arguments"),
        ("datetime_format(field('Due'), 'YYYY-xx')", 30, "unknown format code 'x'"),
    ],
)
def test_refusals_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(FormulaError) as info:
        typecheck(parse(text), RESOLVER)
    assert fragment in info.value.message
    assert info.value.position == position
    assert f"at character {position}" in str(info.value)


def test_function_names_are_case_insensitive() -> None:
    assert type_of("concatenate('a', 'b')") == type_of("CONCATENATE('a', 'b')") == TEXT


def test_dialect_picks_the_variant() -> None:
    assert type_of("EVEN(3)") == NUMBER
    fields = make_resolver([ResolvedField(1, "N", NUMBER, column("n"))])
    assert typecheck(parse("even(field('N'))"), fields).type == BOOLEAN
    with pytest.raises(FormulaError, match="REPLACE expects 3 arguments"):
        typecheck(parse("replace(field('N'), 1, 2, 'x')"), fields)
