"""Parsing: syntax, positions, dialects and limits (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from formula import MAX_DEPTH, MAX_LENGTH, FormulaError, parse, to_text
from formula.ast import Binary, Boolean, Call, FieldRef, Negate, Number, String


def test_references_in_three_forms() -> None:
    root = parse("{Unit price} * Qty + field('Tax rate')").root
    assert root == Binary(
        "+",
        Binary("*", FieldRef("Unit price", "braces"), FieldRef("Qty", "bare")),
        FieldRef("Tax rate", "field"),
    )


def test_escapes_in_braces_and_strings() -> None:
    assert parse(r"{a\}b\\c}").root == FieldRef("a}b\\c")
    assert parse(r"'it\'s' & " + r'"say \"hi\"\n"').root == Binary("&", String("it's"), String('say "hi"\n'))


def test_bare_name_is_a_call_only_with_parentheses() -> None:
    assert parse("Price").root == FieldRef("Price", "bare")
    assert parse("Price()").root == Call("Price", ())
    assert parse("TRUE").root == Boolean(True)
    assert parse("false").root == Boolean(False)
    assert parse("TRUE()").root == Call("TRUE", ())


def test_precedence_and_unary_minus() -> None:
    assert parse("1 + 2 & 'x' = 'y'").root == Binary(
        "=", Binary("&", Binary("+", Number(Decimal(1)), Number(Decimal(2))), String("x")), String("y")
    )
    assert parse("-2 * 3").root == Binary("*", Negate(Number(Decimal(2))), Number(Decimal(3)))
    assert parse("1 - -2").root == Binary("-", Number(Decimal(1)), Negate(Number(Decimal(2))))


def test_numbers() -> None:
    assert parse(".5").root == Number(Decimal("0.5"))
    assert parse("1e3").root == Number(Decimal("1e3"))
    with pytest.raises(FormulaError, match="too large"):
        parse("1e5000")


def test_dialect_follows_field_references() -> None:
    assert parse("{A} + 1").dialect == "airtable"
    assert parse("concat(field('A'), 'x')").dialect == "baserow"
    assert parse("FIELD('A')").dialect == "baserow"


def test_positions() -> None:
    root = parse("IF(  {A}, 'x')").root
    assert isinstance(root, Call)
    assert root.args[0].pos == 5
    assert root.args[1].pos == 10


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("1 +", 3, "unexpected the end of the formula"),
        ("{abc", 0, "unclosed {"),
        ("'abc", 0, "unclosed '"),
        ("IF(1,, 2)", 5, "unexpected ','"),
        ("1 # 2", 2, "unexpected character '#'"),
        ("1\n+ )", 4, "line 2, column 3"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.position == position
    assert fragment in str(info.value)


def test_empty_formula() -> None:
    with pytest.raises(FormulaError, match="empty"):
        parse("   ")


def test_size_limit() -> None:
    parse("1" + " " * (MAX_LENGTH - 1))
    with pytest.raises(FormulaError, match="too long"):
        parse("1" + " " * MAX_LENGTH)


def test_depth_limit_for_calls_and_operators() -> None:
    # Parentheses alone add no depth (they leave no node), so they are harmless.
    assert parse("(" * 3000 + "1" + ")" * 3000).root == Number(Decimal(1))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("-" * 5000 + "1")
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("ABS(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))


def test_depth_limit_for_long_chains() -> None:
    parse(" & ".join(["'a'"] * 40))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse(" + ".join(["1"] * 2000))


def test_ids_are_only_read_from_the_stored_form() -> None:
    with pytest.raises(FormulaError, match="field ids"):
        parse("@12{Price}")
    assert parse("@12{Price} + @3Qty", stored=True).root == Binary(
        "+", FieldRef("Price", "braces", 12), FieldRef("Qty", "bare", 3)
    )


def test_printer_output_is_readable() -> None:
    assert to_text(parse("if( {A b}>1 ,\"x\",'y' )")) == 'if({A b} > 1, "x", "y")'
    assert to_text(parse("field('A') - (1 - 2)")) == "field('A') - (1 - 2)"


def test_characters_postgresql_cannot_hold_are_refused() -> None:
    with pytest.raises(FormulaError, match="U\\+0000") as info:
        parse("'a\x00'")
    assert info.value.position == 2
    with pytest.raises(FormulaError, match="U\\+D800"):
        parse("'\ud800'")


def test_depth_error_points_at_the_first_node_too_deep() -> None:
    text = "ABS(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.position == 4 * MAX_DEPTH  # the innermost "1"
    parse("ABS(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1))
