"""Formula problems have a stable code, and the page has a French and an English text for every code.

The formula editor shows `formula.error.<code>` from frontend/i18n/<lang>.js, filled in with the error's
params: these tests read those files and check that no code is left without a text, that a text only
uses its code's params, and that each kind of mistake gives the code its text is written for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import column

from formula import (
    BOOLEAN,
    DATE,
    NUMBER,
    TEXT,
    FormulaError,
    ResolvedField,
    array_of,
    make_resolver,
    parse,
    typecheck,
)
from formula.errors import ERROR_PARAMS, EXPECTED_KINDS, GOT_KINDS

I18N = Path(__file__).resolve().parents[2] / "frontend" / "i18n"
ENTRY = re.compile(r'"((?:[^"\\]|\\.)+)":\s*"((?:[^"\\]|\\.)*)"')
# {name} placeholders; a capitalized word in braces is an example field reference ({Ville}), kept as is.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def texts(lang: str) -> dict[str, str]:
    return dict(ENTRY.findall((I18N / f"{lang}.js").read_text(encoding="utf-8")))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_error_code_has_a_text_using_only_its_params(lang: str) -> None:
    found = texts(lang)
    for code, params in ERROR_PARAMS.items():
        keys = [k for k in (f"formula.error.{code}", f"formula.error.{code}.one") if k in found]
        assert f"formula.error.{code}" in found, f"{lang}: no text for formula error {code!r}"
        for key in keys:
            used = set(PLACEHOLDER.findall(found[key]))
            assert used <= set(params), f"{lang}: {key} uses {used - set(params)}, not params of {code!r}"
            assert found[key].strip(), key


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_text_for_a_code_that_does_not_exist(lang: str) -> None:
    for key in texts(lang):
        if key.startswith("formula.error."):
            code = key.removeprefix("formula.error.").removesuffix(".one")
            assert code in ERROR_PARAMS, f"{lang}: {key} is for no formula error code"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_type_names_in_params_are_translated(lang: str) -> None:
    found = texts(lang)
    for kind in EXPECTED_KINDS:
        assert f"formula.param.expected.{kind}" in found, (lang, kind)
    for kind in GOT_KINDS:
        assert f"formula.param.got.{kind}" in found, (lang, kind)
    for dialect in ("airtable", "baserow"):
        assert f"formula.param.dialect.{dialect}" in found, (lang, dialect)


def test_french_and_english_have_the_same_formula_keys() -> None:
    fr = {k for k in texts("fr") if k.startswith(("formula.error.", "formula.param."))}
    en = {k for k in texts("en") if k.startswith(("formula.error.", "formula.param."))}
    assert fr == en


def test_french_texts_read_as_french() -> None:
    found = texts("fr")
    assert (
        found["formula.error.unknown_field"].replace("{{field}}", "{Ville}").startswith("Le champ {Ville} n’existe pas")
    )
    assert found["formula.error.arguments_at_least.one"].startswith("La fonction {function} attend au moins 1 argument")


RESOLVER = make_resolver(
    [
        ResolvedField(i, n, t, column(f"c{i}"))
        for i, (n, t) in enumerate(
            {"Nom": TEXT, "Prix": NUMBER, "Payé": BOOLEAN, "Date": DATE, "Tags": array_of(TEXT)}.items()
        )
    ]
)


def problem(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        typecheck(parse(text), RESOLVER)
    return caught.value


@pytest.mark.parametrize(
    ("text", "code", "params", "position"),
    [
        ("", "empty", {}, 0),
        ("{Prix} *", "incomplete", {}, 8),
        ("SUM(1, 2", "missing_closing_parenthesis", {}, 8),
        ("SUM(1))", "extra_closing_parenthesis", {}, 6),
        ("1 2", "unexpected_text", {"found": "2"}, 2),
        ("'abc", "unclosed_text", {"quote": "'"}, 0),
        ("{Prix", "unclosed_field", {}, 0),
        ("1 $ 2", "unexpected_character", {"char": "$"}, 2),
        ("1 + \x00", "invalid_character", {"char": "U+0000"}, 4),
        ("{Ville} & 'x'", "unknown_field", {"field": "Ville"}, 0),
        ("SOMME(1)", "unknown_function", {"function": "SOMME"}, 0),
        ("SUM()", "arguments_at_least", {"function": "SUM", "count": 1, "got": 0}, 0),
        ("UPPER('a', 'b')", "arguments_exactly", {"function": "UPPER", "count": 1, "got": 2}, 0),
        ("IF(TRUE)", "arguments_between", {"function": "IF", "min": 2, "max": 3, "got": 1}, 0),
        (
            "{Prix} + LEFT('a', 'b')",
            "wrong_type_function",
            {"function": "LEFT", "expected": "number", "got": "text"},
            19,
        ),
        ("{Nom} * 2", "wrong_type_operator", {"operator": "*", "expected": "number", "got": "text"}, 0),
        ("{Tags} > 'a'", "comparison_of_list", {"operator": ">"}, 0),
        ("IF({Payé}, 1, {Tags})", "results_types_differ", {"function": "IF"}, 0),
        ("SWITCH(1, 2)", "switch_arguments", {"function": "SWITCH"}, 0),
        ("SET_TIMEZONE({Date}, 'Mars/Olympus')", "unknown_timezone", {"timezone": "Mars/Olympus"}, 21),
        ("DATETIME_FORMAT({Date}, 'QQQQ zz')", "date_format_unknown_code", None, 24),
        ("DATE_DIFF('fortnight', {Date}, {Date})", "unknown_choice", None, 10),
    ],
)
def test_each_kind_of_mistake_has_its_code_params_and_position(
    text: str, code: str, params: dict[str, object] | None, position: int
) -> None:
    error = problem(text)
    assert error.code == code, (text, error.code, error.message)
    if params is not None:
        assert error.params == params
    assert set(error.params) == set(ERROR_PARAMS[code])
    assert error.position == position
    # The English message is still there for API clients.
    assert error.message


def test_line_and_column_keep_the_code() -> None:
    error = problem("{Prix} +\n  SOMME(1)").with_text("{Prix} +\n  SOMME(1)")
    assert (error.code, error.params, error.line, error.column) == ("unknown_function", {"function": "SOMME"}, 2, 3)


def test_an_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown formula error code"):
        FormulaError("x", code="no_such_code")
