"""Formula fields through the API: checked when saved, materialized, kept correct across changes."""

from __future__ import annotations

from tests.factories import Api


async def test_formula_values_follow_their_inputs_and_renames(api: Api):
    table = await api.table(
        "Groupes",
        [
            {"name": "Membres", "type": "number"},
            {"name": "Actifs", "type": "number"},
        ],
    )
    fields_url = f"/api/database/fields/table/{table['id']}/"
    ratio = await api.post(
        fields_url,
        {"name": "Part", "type": "formula", "formula": "IF({Membres} = 0, 0, ROUND({Actifs} / {Membres} * 100, 1))"},
    )
    assert ratio["formula_type"] == "number" and ratio["error"] is None
    label = await api.post(
        fields_url, {"name": "Étiquette", "type": "formula", "formula": "CONCATENATE(Name, ' (', {Membres}, ')')"}
    )
    row = await api.post(
        f"/api/database/rows/table/{table['id']}/?user_field_names=true",
        {"Name": "Grenoble", "Membres": 40, "Actifs": 10},
    )
    assert row["Part"] == "25" and row["Étiquette"] == "Grenoble (40)"

    # Division by zero never fails a write: the guarded branch, or an empty value.
    row = await api.patch(f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true", {"Membres": 0})
    assert row["Part"] == "0"

    # Renaming a field keeps the formula working; the text shows the new name.
    membres = table["by_name"]["Membres"]["id"]
    await api.patch(f"/api/database/fields/{membres}/", {"name": "Adhérents"})
    shown = await api.get(f"/api/database/fields/{label['id']}/")
    assert "{Adhérents}" in shown["formula"] and shown["error"] is None
    row = await api.patch(
        f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true", {"Adhérents": 7}
    )
    assert row["Étiquette"] == "Grenoble (7)"

    # Filters and sorts work on formula values like on any other.
    await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "Lyon", "Adhérents": 12})
    listed = await api.rows(table["id"], user_field_names="true", order_by="-Étiquette")
    assert [r["Name"] for r in listed["results"][:2]] == ["Lyon", "Grenoble"]


async def test_a_wrong_formula_is_refused_with_its_position(api: Api):
    table = await api.table("T", [{"name": "Membres", "type": "number"}])
    refused = await api.post(
        f"/api/database/fields/table/{table['id']}/",
        {"name": "F", "type": "formula", "formula": "{Membres} + "},
        expect=400,
    )
    assert refused["error"] == "ERROR_WITH_FORMULA" and "character" in refused["detail"]
    refused = await api.post(
        f"/api/database/fields/table/{table['id']}/",
        {"name": "F", "type": "formula", "formula": "UPPER({Nope})"},
        expect=400,
    )
    assert "Nope" in refused["detail"]
    fields = await api.get(f"/api/database/fields/table/{table['id']}/")
    assert [f["name"] for f in fields] == ["Name", "Membres"]


async def test_a_formula_survives_the_deletion_and_return_of_its_field(api: Api):
    table = await api.table("T", [{"name": "Prix", "type": "number"}])
    double = await api.post(
        f"/api/database/fields/table/{table['id']}/", {"name": "Double", "type": "formula", "formula": "{Prix} * 2"}
    )
    row = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "a", "Prix": 4})
    assert row["Double"] == "8"
    await api.delete(f"/api/database/fields/{table['by_name']['Prix']['id']}/", expect=200)
    broken = await api.get(f"/api/database/fields/{double['id']}/")
    assert broken["error"] and "Prix" in broken["error"] and broken["formula"] == "{Prix} * 2"
    row = await api.get(f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true")
    assert row["Double"] is None
    await api.post(f"/api/database/fields/table/{table['id']}/", {"name": "Prix", "type": "number"})
    await api.patch(f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true", {"Prix": 5})
    repaired = await api.get(f"/api/database/fields/{double['id']}/")
    assert repaired["error"] is None
    row = await api.get(f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true")
    assert row["Double"] == "10"


async def test_formula_over_a_lookup_and_a_self_reference_is_refused(api: Api):
    groups = await api.table("Groupes")
    actions = await api.table("Actions", [{"name": "Participants", "type": "number"}])
    link = await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    reverse = link["link_row_related_field_id"]
    await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {
            "name": "Effectifs",
            "type": "lookup",
            "through_field_id": reverse,
            "target_field_id": actions["by_name"]["Participants"]["id"],
        },
    )
    total = await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {"name": "Total", "type": "formula", "formula": "SUM({Effectifs})"},
    )
    assert total["formula_type"] == "number"
    g = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Nantes"})
    await api.post(
        f"/api/database/rows/table/{actions['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "a", "Participants": 3, "Groupe": [g["id"]]},
                {"Name": "b", "Participants": 4, "Groupe": [g["id"]]},
            ]
        },
    )
    read = await api.get(f"/api/database/rows/table/{groups['id']}/{g['id']}/?user_field_names=true")
    assert read["Total"] == "7"
    refused = await api.patch(f"/api/database/fields/{total['id']}/", {"formula": "{Total} + 1"}, expect=400)
    assert refused["error"] == "ERROR_WITH_FORMULA"


async def test_filters_on_formula_fields_follow_their_result_type(api: Api):
    table = await api.table("T", [{"name": "Membres", "type": "number"}])
    url = f"/api/database/fields/table/{table['id']}/"
    big = await api.post(url, {"name": "Grand", "type": "formula", "formula": "{Membres} > 10"})
    double = await api.post(url, {"name": "Double", "type": "formula", "formula": "{Membres} * 2"})
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "a", "Membres": 3}, {"Name": "b", "Membres": 30}]},
    )
    found = await api.rows(table["id"], user_field_names="true", **{f"filter__field_{big['id']}__boolean": "1"})
    assert [r["Name"] for r in found["results"]] == ["b"]
    found = await api.rows(table["id"], user_field_names="true", **{f"filter__field_{double['id']}__higher_than": "10"})
    assert [r["Name"] for r in found["results"]] == ["b"]
