"""The warning before a type change: counts and examples from the same conversion the change runs."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, signed_up


async def _amounts(api: Api, values: list[str | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    table = await api.table("Dons", [{"name": "Montant", "type": "text"}])
    field = table["by_name"]["Montant"]
    items = [{f"field_{field['id']}": v} for v in values]
    await api.post(f"/api/database/rows/table/{table['id']}/batch/", {"items": items})
    return table, field


def _preview(field: dict[str, Any]) -> str:
    return f"/api/database/fields/{field['id']}/type-change-preview/"


async def test_text_to_number_counts_what_will_be_emptied_then_the_change_agrees(api: Api) -> None:
    table, field = await _amounts(api, ["12", "douze", "3.456", None, "", "abc", "abc", "7"])
    preview = await api.post(_preview(field), {"type": "number", "number_decimal_places": 2})
    assert preview["total_rows"] == 8
    assert preview["non_empty"] == 6
    assert preview["lost_values"] == 3
    assert sorted(preview["lost_examples"]) == ["abc", "douze"]  # each value once
    # 3.456 rounds; 12 and 7 gain decimals: shown as changed, not lost
    assert preview["changed_values"] == 3
    assert {"before": "3.456", "after": "3.46"} in preview["changed_examples"]
    # nothing was saved
    again = await api.get(f"/api/database/fields/{field['id']}/")
    assert again["type"] == "text"
    rows = await api.rows(table["id"])
    assert sorted(r[f"field_{field['id']}"] or "" for r in rows["results"]) == sorted(
        ["12", "douze", "3.456", "", "", "abc", "abc", "7"]
    )
    # the real change reports the same number
    done = await api.patch(f"/api/database/fields/{field['id']}/", {"type": "number", "number_decimal_places": 2})
    assert done["lost_values"] == preview["lost_values"]


async def test_a_safe_change_loses_nothing(api: Api) -> None:
    _table, field = await _amounts(api, ["rouge", "vert", "rouge"])
    # text -> single select makes one option per distinct value first
    preview = await api.post(_preview(field), {"type": "single_select"})
    assert preview["lost_values"] == 0 and preview["lost_examples"] == []
    assert preview["non_empty"] == 3
    long_text = await api.post(_preview(field), {"type": "long_text"})
    assert long_text["lost_values"] == 0 and long_text["changed_values"] == 0


async def test_a_same_type_option_change_counts_rounding(api: Api) -> None:
    table = await api.table("Notes", [{"name": "Score", "type": "number", "number_decimal_places": 2}])
    field = table["by_name"]["Score"]
    items = [{f"field_{field['id']}": v} for v in ["1.25", "2.00", None]]
    await api.post(f"/api/database/rows/table/{table['id']}/batch/", {"items": items})
    preview = await api.post(_preview(field), {"number_decimal_places": 0})
    assert preview["lost_values"] == 0
    assert preview["changed_values"] == 2
    assert preview["non_empty"] == 2


async def test_becoming_a_formula_replaces_every_value(api: Api) -> None:
    _table, field = await _amounts(api, ["a", "b", None])
    preview = await api.post(_preview(field), {"type": "formula", "formula": "1"})
    assert preview["replaced_values"] == 2 and preview["lost_values"] == 0


async def test_bad_updates_are_refused_like_the_real_change(api: Api, client: Any) -> None:
    table, field = await _amounts(api, ["1"])
    bad_type = await api.post(_preview(field), {"type": "no_such_type"}, expect=400)
    assert bad_type["error"] == "ERROR_FIELD_TYPE_DOES_NOT_EXIST"
    bad_option = await api.post(_preview(field), {"type": "number", "number_decimal_places": "many"}, expect=400)
    assert bad_option["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    primary = table["by_name"]["Name"]
    refused = await api.post(_preview(primary), {"type": "link_row", "link_row_table_id": table["id"]}, expect=400)
    assert refused["error"] == "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE"
    await api.post("/api/database/fields/999999999/type-change-preview/", {"type": "number"}, expect=404)
    stranger = await signed_up(client, "Intrus")
    denied = await stranger.post(_preview(field), {"type": "number"}, expect=400)
    assert denied["error"] == "ERROR_USER_NOT_IN_GROUP"
    assert "lost_values" not in denied
