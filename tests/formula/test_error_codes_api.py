"""The formula check's answer carries a stable error code and its params, which the page words in the
person's language; the English `error` stays for API clients."""

from __future__ import annotations

from typing import Any

import formula
from formula.errors import ERROR_PARAMS
from tests.factories import Api


async def _table(api: Api) -> dict[str, Any]:
    return await api.table("Groupes", [{"name": "Ville", "type": "text"}, {"name": "Membres", "type": "number"}])


def _path(table: dict[str, Any]) -> str:
    return f"/api/database/formula/{table['id']}/type/"


async def _check(api: Api, table: dict[str, Any], text: str, name: str = "Calcul") -> dict[str, Any]:
    answer = await api.post(_path(table), {"formula": text, "name": name})
    if answer["formula_type"] == "invalid":
        assert answer["error_code"] in ERROR_PARAMS
        assert set(answer["error_params"]) == set(ERROR_PARAMS[answer["error_code"]])
        assert answer["error"]  # English, for API clients
    return answer


async def test_a_valid_formula_has_no_error_code(api: Api) -> None:
    table = await _table(api)
    answer = await _check(api, table, "{Membres} * 2")
    assert answer["formula_type"] == "number"
    assert answer["error_code"] is None and answer["error_params"] is None


async def test_each_kind_of_mistake_answers_its_code_params_and_position(api: Api) -> None:
    table = await _table(api)
    cases = [
        ("{Vile} & '!'", "unknown_field", {"field": "Vile"}, 0),
        ("SOMME({Membres})", "unknown_function", {"function": "SOMME"}, 0),
        ("SUM()", "arguments_at_least", {"function": "SUM", "count": 1, "got": 0}, 0),
        (
            "{Membres} - UPPER({Ville})",
            "wrong_type_operator",
            {"operator": "-", "expected": "number", "got": "text"},
            12,
        ),
        ("{Membres} *", "incomplete", {}, 11),
        ("SUM({Membres}", "missing_closing_parenthesis", {}, 13),
    ]
    for text, code, params, position in cases:
        answer = await _check(api, table, text)
        assert answer["formula_type"] == "invalid", text
        assert (answer["error_code"], answer["error_params"], answer["error_position"]) == (code, params, position), (
            text,
            answer,
        )


async def test_a_formula_using_its_own_field_is_a_self_reference(api: Api) -> None:
    table = await _table(api)
    await api.post(
        f"/api/database/fields/table/{table['id']}/", {"name": "Total", "type": "formula", "formula": "{Membres} * 2"}
    )
    answer = await _check(api, table, "{Membres} + {Total}", name="Total")
    assert (answer["error_code"], answer["error_params"], answer["error_position"]) == (
        "self_reference",
        {"field": "Total"},
        12,
    )
    # A new field naming itself too, before it exists.
    fresh = await _check(api, table, "{Bonus} + 1", name="Bonus")
    assert fresh["error_code"] == "self_reference"


async def test_a_loop_through_another_field_is_a_circular_reference(api: Api) -> None:
    table = await _table(api)
    fields = f"/api/database/fields/table/{table['id']}/"
    await api.post(fields, {"name": "Base", "type": "formula", "formula": "{Membres} + 1"})
    await api.post(fields, {"name": "Double", "type": "formula", "formula": "{Base} * 2"})
    answer = await _check(api, table, "{Membres} + {Double}", name="Base")
    assert answer["error_code"] == "circular_reference"
    assert answer["error_params"] == {"fields": "Base → Double → Base"}
    assert answer["error_position"] == 12 and (answer["error_line"], answer["error_column"]) == (1, 13)
    # Without the loop the same formula is fine for another field.
    assert (await _check(api, table, "{Membres} + {Double}", name="Autre"))["formula_type"] == "number"


async def test_a_formula_too_long_has_its_code(api: Api) -> None:
    table = await _table(api)
    answer = await _check(api, table, "1+" * (formula.MAX_LENGTH // 2) + "1")
    assert answer["error_code"] == "too_long" and answer["error_params"] == {"max": formula.MAX_LENGTH}
