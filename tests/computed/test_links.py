"""Links, lookups, rollups and counts through the real API, kept correct after every kind of write."""

from __future__ import annotations

from tests.factories import Api


async def groups_and_actions(api: Api) -> tuple[dict, dict, dict]:
    groups = await api.table("Groupes", [{"name": "Membres", "type": "number"}])
    actions = await api.table(
        "Actions",
        [
            {"name": "Participants", "type": "number", "number_decimal_places": 1},
            {"name": "Confirmée", "type": "boolean"},
        ],
    )
    link = await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    return groups, actions, link


async def test_link_field_creates_reverse_and_both_sides_read_links(api: Api):
    groups, actions, link = await groups_and_actions(api)
    reverse_id = link["link_row_related_field_id"]
    reverse = await api.get(f"/api/database/fields/{reverse_id}/")
    assert reverse["table_id"] == groups["id"] and reverse["name"] == "Actions"
    assert reverse["link_row_related_field_id"] == link["id"]

    grenoble = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Grenoble"})
    lyon = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Lyon"})
    # Ids or primary values, as Baserow accepts.
    action = await api.post(
        f"/api/database/rows/table/{actions['id']}/?user_field_names=true",
        {"Name": "Marche", "Groupe": [grenoble["id"], "Lyon"]},
    )
    assert action["Groupe"] == [{"id": grenoble["id"], "value": "Grenoble"}, {"id": lyon["id"], "value": "Lyon"}]
    back = await api.get(f"/api/database/rows/table/{groups['id']}/{grenoble['id']}/?user_field_names=true")
    assert back["Actions"] == [{"id": action["id"], "value": "Marche"}]

    # Renaming the linked row updates the materialized display value on the other side.
    await api.patch(
        f"/api/database/rows/table/{groups['id']}/{grenoble['id']}/?user_field_names=true", {"Name": "Grenoble-Alpes"}
    )
    again = await api.get(f"/api/database/rows/table/{actions['id']}/{action['id']}/?user_field_names=true")
    assert again["Groupe"][0] == {"id": grenoble["id"], "value": "Grenoble-Alpes"}

    # Writing the reverse side changes the forward side.
    await api.patch(f"/api/database/rows/table/{groups['id']}/{lyon['id']}/?user_field_names=true", {"Actions": []})
    again = await api.get(f"/api/database/rows/table/{actions['id']}/{action['id']}/?user_field_names=true")
    assert [v["id"] for v in again["Groupe"]] == [grenoble["id"]]

    # Deleting a row removes its links and updates the other side.
    await api.delete(f"/api/database/rows/table/{actions['id']}/{action['id']}/")
    back = await api.get(f"/api/database/rows/table/{groups['id']}/{grenoble['id']}/?user_field_names=true")
    assert back["Actions"] == []


async def test_unknown_linked_row_is_refused_and_nothing_changes(api: Api):
    _, actions, _ = await groups_and_actions(api)
    response = await api.post(
        f"/api/database/rows/table/{actions['id']}/?user_field_names=true",
        {"Name": "Marche", "Groupe": ["Nowhere"]},
        expect=400,
    )
    assert response["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    assert "Groupe" in str(response["detail"])
    listed = await api.rows(actions["id"], search="Marche")
    assert listed["count"] == 0


async def test_lookup_rollup_count_with_filter_stay_correct(api: Api):
    groups, actions, link = await groups_and_actions(api)
    reverse_id = link["link_row_related_field_id"]
    by_name = {f["name"]: f for f in await api.get(f"/api/database/fields/table/{actions['id']}/")}
    base = f"/api/database/fields/table/{groups['id']}/"
    lookup = await api.post(
        base,
        {"name": "Noms", "type": "lookup", "through_field_id": reverse_id, "target_field_id": by_name["Name"]["id"]},
    )
    total = await api.post(
        base,
        {
            "name": "Total",
            "type": "rollup",
            "through_field_id": reverse_id,
            "target_field_id": by_name["Participants"]["id"],
            "rollup_function": "sum",
        },
    )
    confirmed = await api.post(
        base,
        {
            "name": "Confirmées",
            "type": "count",
            "through_field_id": reverse_id,
            "filters": {
                "filter_type": "AND",
                "filters": [{"field": by_name["Confirmée"]["id"], "type": "boolean", "value": "1"}],
            },
        },
    )
    group = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Tours"})
    rows = await api.post(
        f"/api/database/rows/table/{actions['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "A", "Participants": 10, "Confirmée": True, "Groupe": [group["id"]]},
                {"Name": "B", "Participants": "2.5", "Confirmée": False, "Groupe": [group["id"]]},
            ]
        },
    )
    read = await api.get(f"/api/database/rows/table/{groups['id']}/{group['id']}/")
    assert [v["value"] for v in read[f"field_{lookup['id']}"]] == ["A", "B"]
    assert read[f"field_{total['id']}"] == "12.5"
    assert read[f"field_{confirmed['id']}"] == "1"

    # An update of a linked row's value reaches the rollup and the filtered count.
    b = rows["items"][1]["id"]
    await api.patch(
        f"/api/database/rows/table/{actions['id']}/{b}/?user_field_names=true", {"Participants": 5, "Confirmée": True}
    )
    read = await api.get(f"/api/database/rows/table/{groups['id']}/{group['id']}/")
    assert read[f"field_{total['id']}"] == "15"
    assert read[f"field_{confirmed['id']}"] == "2"

    # Filtering on a computed field works like on any other.
    found = await api.rows(groups["id"], **{f"filter__field_{total['id']}__higher_than": "14"})
    assert [r["id"] for r in found["results"]] == [group["id"]]

    # Deleting a linked row updates everything that depends on it.
    await api.post(f"/api/database/rows/table/{actions['id']}/batch-delete/", {"items": [b]}, expect=204)
    read = await api.get(f"/api/database/rows/table/{groups['id']}/{group['id']}/")
    assert read[f"field_{total['id']}"] == "10"
    assert [v["value"] for v in read[f"field_{lookup['id']}"]] == ["A"]


async def test_a_cycle_is_refused_with_the_fields_named(api: Api):
    groups, actions, link = await groups_and_actions(api)
    reverse_id = link["link_row_related_field_id"]
    # Make the groups' primary field a lookup of actions' primary, whose display depends on groups' primary.
    lookup = await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {
            "name": "Noms",
            "type": "lookup",
            "through_field_id": reverse_id,
            "target_field_id": next(f["id"] for f in actions["fields"] if f["primary"]),
        },
    )
    actions_primary = next(f["id"] for f in actions["fields"] if f["primary"])
    refused = await api.patch(
        f"/api/database/fields/{actions_primary}/",
        {"type": "lookup", "through_field_id": link["id"], "target_field_id": lookup["id"]},
        expect=400,
    )
    assert "loop" in str(refused["detail"])


async def test_new_rows_join_the_end_of_reverse_cells_and_counts_follow(api: Api):
    """Rows created with links are appended to the other side's cells (not rebuilt): in id order, after
    the rows already there, and what reads those cells (a count, a lookup) follows."""
    groups, actions, link = await groups_and_actions(api)
    reverse = link["link_row_related_field_id"]
    g, a = groups["id"], actions["id"]
    for name, kind, extra in [
        ("Nombre", "count", {"through_field_id": reverse}),
        ("Noms", "lookup", {"through_field_id": reverse, "target_field_id": actions["by_name"]["Name"]["id"]}),
    ]:
        await api.post(f"/api/database/fields/table/{g}/", {"name": name, "type": kind, **extra})
    made = await api.post(
        f"/api/database/rows/table/{g}/batch/?user_field_names=true",
        {"items": [{"Name": "Lyon"}, {"Name": "Brest"}, {"Name": "Nice"}]},
    )
    lyon, brest, _ = (r["id"] for r in made["items"])
    first = await api.post(
        f"/api/database/rows/table/{a}/batch/?user_field_names=true",
        {"items": [{"Name": "Marche", "Groupe": [lyon, brest]}, {"Name": "Vélo", "Groupe": [lyon]}]},
    )
    second = await api.post(
        f"/api/database/rows/table/{a}/batch/?user_field_names=true",
        {"items": [{"Name": "Atelier", "Groupe": [brest, lyon]}, {"Name": "Fresque", "Groupe": [lyon]}]},
    )
    marche, velo = (r["id"] for r in first["items"])
    atelier, fresque = (r["id"] for r in second["items"])
    listed = await api.get(f"/api/database/rows/table/{g}/?user_field_names=true")
    by_name = {r["Name"]: r for r in listed["results"]}
    assert by_name["Lyon"]["Actions"] == [
        {"id": marche, "value": "Marche"},
        {"id": velo, "value": "Vélo"},
        {"id": atelier, "value": "Atelier"},
        {"id": fresque, "value": "Fresque"},
    ]
    assert by_name["Brest"]["Actions"] == [{"id": marche, "value": "Marche"}, {"id": atelier, "value": "Atelier"}]
    assert by_name["Nice"]["Actions"] == []
    assert [by_name[n]["Nombre"] for n in ("Lyon", "Brest", "Nice")] == ["4", "2", "0"]
    assert [v["value"] for v in by_name["Brest"]["Noms"]] == ["Marche", "Atelier"]
