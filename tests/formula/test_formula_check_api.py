"""The formula editor's calls: checking a formula without saving it, and the function list."""

from __future__ import annotations

from typing import Any

from formula import FUNCTIONS
from tests.factories import Api, signed_up


async def _table(api: Api) -> dict[str, Any]:
    return await api.table(
        "Dons",
        [
            {"name": "Prix", "type": "number", "number_decimal_places": 2},
            {"name": "Qté", "type": "number"},
            {"name": "Payé", "type": "boolean"},
        ],
    )


def _path(table: dict[str, Any]) -> str:
    return f"/api/database/formula/{table['id']}/type/"


async def test_a_valid_formula_answers_its_type_and_saves_nothing(api: Api) -> None:
    table = await _table(api)
    answer = await api.post(_path(table), {"formula": "{Prix} * {Qté}", "name": "Total"})
    assert answer["formula_type"] == "number"
    assert answer["error"] is None and answer["error_position"] is None
    text = await api.post(_path(table), {"formula": "CONCAT({Prix}, ' €')", "name": "Libellé"})
    assert text["formula_type"] == "text"
    assert (await api.post(_path(table), {"formula": "field('Payé')", "name": "x"}))["formula_type"] == "boolean"
    fields = await api.get(f"/api/database/fields/table/{table['id']}/")
    assert [f["name"] for f in fields] == ["Name", "Prix", "Qté", "Payé"]


async def test_a_syntax_error_names_its_position_and_what_was_expected(api: Api) -> None:
    table = await _table(api)
    answer = await api.post(_path(table), {"formula": "{Prix} *  ", "name": "Total"})
    assert answer["formula_type"] == "invalid"
    assert "expected" in answer["error"]
    assert answer["error_position"] == 10
    assert (answer["error_line"], answer["error_column"]) == (1, 11)


async def test_positions_point_into_the_text_as_typed(api: Api) -> None:
    # Leading spaces and a multi-line formula: the position is in the person's text, not a normalized one.
    table = await _table(api)
    answer = await api.post(_path(table), {"formula": "  {Prix} +\n  LEFT('a', 'b')", "name": "x"})
    assert answer["formula_type"] == "invalid"
    assert "number" in answer["error"]
    assert answer["error_position"] == 23
    assert (answer["error_line"], answer["error_column"]) == (2, 13)


async def test_unknown_field_and_function_are_reported(api: Api) -> None:
    table = await _table(api)
    missing = await api.post(_path(table), {"formula": "{Remise} * 2", "name": "x"})
    assert missing["formula_type"] == "invalid" and "Remise" in missing["error"]
    unknown = await api.post(_path(table), {"formula": "1 + FOO(2)", "name": "x"})
    assert unknown["formula_type"] == "invalid" and "FOO" in unknown["error"] and unknown["error_position"] == 4


async def test_the_field_being_edited_cannot_use_itself(api: Api) -> None:
    table = await _table(api)
    total = await api.post(
        f"/api/database/fields/table/{table['id']}/", {"name": "Total", "type": "formula", "formula": "{Prix} * 2"}
    )
    assert total["formula_type"] == "number"
    answer = await api.post(_path(table), {"formula": "{Total} + 1", "name": "Total"})
    assert answer["formula_type"] == "invalid" and "Total" in answer["error"]
    # another formula may use it
    assert (await api.post(_path(table), {"formula": "{Total} + 1", "name": "Autre"}))["formula_type"] == "number"


async def test_bad_bodies_are_refused_in_the_error_shape(api: Api) -> None:
    table = await _table(api)
    for body in ({}, {"formula": 3}, {"formula": "1", "extra": True}, {"formula": "x" * 100_001}):
        answer = await api.post(_path(table), body, expect=400)
        assert answer["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    await api.post("/api/database/formula/999999999/type/", {"formula": "1"}, expect=404)


async def test_only_builders_of_the_table_may_check(api: Api, client: Any) -> None:
    table = await _table(api)
    stranger = await signed_up(client, "Intrus")
    answer = await stranger.post(_path(table), {"formula": "{Prix}"}, expect=400)
    assert answer["error"] == "ERROR_USER_NOT_IN_GROUP"
    assert "Prix" not in str(answer)


async def test_the_function_list_carries_the_docs_data(api: Api) -> None:
    listed = await api.get("/api/database/formula/functions/")
    assert len(listed) == len(FUNCTIONS)
    by_key = {(f["name"], f["dialect"]): f for f in listed}
    upper = by_key[("UPPER", "both")]
    assert upper["signature"] == "UPPER(text)"
    assert upper["category"] == "text" and upper["category_title"] == "Text"
    assert upper["description"] and upper["examples"][0]["formula"]
    assert all(f["description"] and f["examples"] for f in listed)
    assert {f["dialect"] for f in listed} <= {"both", "airtable", "baserow"}
    anonymous = await api.client.get("/api/database/formula/functions/")
    assert anonymous.status_code == 401
