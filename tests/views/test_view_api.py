"""Views through the HTTP API: CRUD, filters, sorts, group-bys, field options, view_id on rows."""

from __future__ import annotations

from tests.factories import Api, signed_up

V = "/api/database/views"


async def _table(api: Api) -> dict:
    table = await api.table(
        "Groupes",
        [
            {"name": "Membres", "type": "number"},
            {"name": "Ville", "type": "text"},
            {
                "name": "Statut",
                "type": "single_select",
                "select_options": [
                    {"value": "Actif", "color": "green"},
                    {"value": "Dormant", "color": "red"},
                ],
            },
        ],
    )
    t = table["id"]
    status = {o["value"]: o["id"] for o in table["by_name"]["Statut"]["select_options"]}
    await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "Grenoble", "Membres": "40", "Ville": "Grenoble", "Statut": status["Actif"]},
                {"Name": "Besançon", "Membres": "12", "Ville": "Besançon", "Statut": status["Dormant"]},
                {"Name": "Lyon", "Membres": "80", "Ville": "Lyon", "Statut": status["Actif"]},
            ]
        },
    )
    table["status"] = status
    return table


async def test_view_crud_duplicate_order(api: Api) -> None:
    table = await _table(api)
    t = table["id"]
    listed = await api.get(f"{V}/table/{t}/")
    assert [v["type"] for v in listed] == ["grid"]
    gallery = await api.post(f"{V}/table/{t}/", {"name": "Cartes", "type": "gallery"})
    assert gallery["type"] == "gallery" and gallery["public"] is False and gallery["slug"]
    renamed = await api.patch(f"{V}/{gallery['id']}/", {"name": "Galerie"})
    assert renamed["name"] == "Galerie"
    copy = await api.post(f"{V}/{gallery['id']}/duplicate/")
    assert copy["name"] == "Galerie 2" and copy["slug"] != gallery["slug"]
    ids = [v["id"] for v in await api.get(f"{V}/table/{t}/")]
    await api.post(f"{V}/table/{t}/order/", {"view_ids": list(reversed(ids))}, expect=204)
    assert [v["id"] for v in await api.get(f"{V}/table/{t}/")] == list(reversed(ids))
    await api.delete(f"{V}/{copy['id']}/")
    await api.get(f"{V}/{copy['id']}/", expect=404)
    bad = await api.post(f"{V}/table/{t}/", {"name": "X", "type": "pivot"}, expect=400)
    assert bad["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    kanban_bad = await api.post(
        f"{V}/table/{t}/",
        {"name": "K", "type": "kanban", "single_select_field": table["by_name"]["Ville"]["id"]},
        expect=400,
    )
    assert "single_select_field" in kanban_bad["detail"]
    kanban = await api.post(
        f"{V}/table/{t}/",
        {"name": "K", "type": "kanban", "single_select_field": table["by_name"]["Statut"]["id"]},
    )
    assert kanban["single_select_field"] == table["by_name"]["Statut"]["id"]


async def test_filters_sorts_and_view_id_on_rows(api: Api) -> None:
    table = await _table(api)
    t = table["id"]
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    members = table["by_name"]["Membres"]["id"]
    f = await api.post(f"{V}/{grid['id']}/filters/", {"field": members, "type": "higher_than", "value": "20"})
    assert f["active"] is True and f["view"] == grid["id"]
    await api.post(f"{V}/{grid['id']}/sortings/", {"field": members, "order": "DESC"})
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert [r["Name"] for r in rows["results"]] == ["Lyon", "Grenoble"]
    # An OR group: members > 20 AND (Ville contains "lyon" OR Ville contains "besancon")
    group = await api.post(f"{V}/{grid['id']}/filter-groups/", {"filter_type": "OR"})
    ville = table["by_name"]["Ville"]["id"]
    for word in ("lyon", "besancon"):
        await api.post(
            f"{V}/{grid['id']}/filters/",
            {"field": ville, "type": "contains", "value": word, "group": group["id"]},
        )
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert [r["Name"] for r in rows["results"]] == ["Lyon"]
    await api.patch(f"{V}/{grid['id']}/", {"filter_type": "OR"})
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert {r["Name"] for r in rows["results"]} == {"Lyon", "Grenoble", "Besançon"}
    await api.patch(f"{V}/filter/{f['id']}/", {"value": "100"})
    assert (await api.get(f"{V}/filter/{f['id']}/"))["value"] == "100"
    await api.delete(f"{V}/filter-group/{group['id']}/")
    assert [x["id"] for x in await api.get(f"{V}/{grid['id']}/filters/")] == [f["id"]]
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert rows["count"] == 0
    await api.delete(f"{V}/filter/{f['id']}/")
    await api.get(f"{V}/filter/{f['id']}/", expect=404)
    # Bad input: unknown field, unknown type, incompatible type -> 4xx, nothing stored.
    for body, code in (
        ({"field": 999999, "type": "equal", "value": "1"}, "ERROR_FIELD_NOT_IN_TABLE"),
        ({"field": members, "type": "nope", "value": "1"}, "ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST"),
        ({"field": members, "type": "boolean", "value": "1"}, "ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD"),
    ):
        answer = await api.post(f"{V}/{grid['id']}/filters/", body, expect=400)
        assert answer["error"] == code
    assert await api.get(f"{V}/{grid['id']}/filters/") == []


async def test_select_sort_by_option_order_and_alphabetically(api: Api) -> None:
    table = await _table(api)
    t = table["id"]
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    statut = table["by_name"]["Statut"]["id"]
    sort = await api.post(f"{V}/{grid['id']}/sortings/", {"field": statut, "order": "DESC", "type": "order"})
    dup = await api.post(f"{V}/{grid['id']}/sortings/", {"field": statut, "order": "ASC"}, expect=400)
    assert dup["error"] == "ERROR_VIEW_SORT_FIELD_ALREADY_EXISTS"
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert rows["results"][0]["Name"] == "Besançon"  # Dormant is the second option
    await api.patch(f"{V}/sort/{sort['id']}/", {"type": "default", "order": "ASC"})
    rows = await api.rows(t, view_id=grid["id"], user_field_names="true")
    assert [r["Statut"]["value"] for r in rows["results"]] == ["Actif", "Actif", "Dormant"]


async def test_field_options_and_permissions(api: Api, client) -> None:
    table = await _table(api)
    t = table["id"]
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    ville = str(table["by_name"]["Ville"]["id"])
    answer = await api.patch(
        f"{V}/{grid['id']}/field-options/", {"field_options": {ville: {"hidden": True, "width": 300}}}
    )
    assert answer["field_options"][ville]["hidden"] is True and answer["field_options"][ville]["width"] == 300
    bad = await api.patch(f"{V}/{grid['id']}/field-options/", {"field_options": {ville: {"width": 5}}}, expect=400)
    assert bad["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    got = await api.get(f"{V}/{grid['id']}/field-options/")
    assert got["field_options"][ville]["width"] == 300
    stranger = await signed_up(client)
    answer = await stranger.get(f"{V}/{grid['id']}/", expect=400)
    assert answer["error"] == "ERROR_USER_NOT_IN_GROUP"
    await stranger.patch(f"{V}/{grid['id']}/", {"name": "x"}, expect=400)
    await stranger.get(f"{V}/filter/{2**40}/", expect=404)


async def test_filter_becomes_inactive_after_type_change(api: Api) -> None:
    table = await _table(api)
    t = table["id"]
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    members = table["by_name"]["Membres"]["id"]
    f = await api.post(f"{V}/{grid['id']}/filters/", {"field": members, "type": "higher_than", "value": "20"})
    await api.patch(f"/api/database/fields/{members}/", {"type": "text"})
    listed = await api.get(f"{V}/{grid['id']}/filters/")
    assert listed[0]["id"] == f["id"] and listed[0]["active"] is False
    assert listed[0]["inactive_reason"] == "not_compatible"
    rows = await api.rows(t, view_id=grid["id"])
    assert rows["count"] == 3  # the inactive filter does nothing


async def test_search_accent_insensitive_alone_and_in_a_view(api: Api) -> None:
    table = await _table(api)
    t = table["id"]
    found = await api.rows(t, search="Besancon", user_field_names="true")
    assert [r["Name"] for r in found["results"]] == ["Besançon"]
    assert (await api.rows(t, search="DORMANT"))["count"] == 1  # a select's option text
    assert (await api.rows(t, search='say "hi"'))["count"] == 0  # JSON-unsafe needle: exact tests only
    assert (await api.rows(t, search="9" * 30))["count"] == 0  # no overflow on huge numbers
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    members = table["by_name"]["Membres"]["id"]
    await api.post(f"{V}/{grid['id']}/filters/", {"field": members, "type": "lower_than", "value": "20"})
    assert (await api.rows(t, search="lyon", view_id=grid["id"]))["count"] == 0
    assert (await api.rows(t, search="besançon", view_id=grid["id"]))["count"] == 1
    other = await api.table("Autre")
    wrong = await api.get(f"/api/database/rows/table/{other['id']}/", params={"view_id": grid["id"]}, expect=404)
    assert wrong["error"] == "ERROR_VIEW_DOES_NOT_EXIST"


def test_search_plan_is_pure() -> None:
    from sqlalchemy.dialects import postgresql

    from fields import Field, default_field_types
    from nocodedb.db.schema import rows
    from nocodedb.services.metadata import row_source
    from views.search import search_condition

    fields = [Field(1, 1, "T", "text"), Field(2, 1, "D", "date"), Field(3, 1, "B", "boolean")]
    sql = str(
        search_condition("lyon", fields, default_field_types(), row_source(), rows.c.id).compile(
            dialect=postgresql.dialect()
        )
    )
    # Letters cannot be in a date nor in true/false: only the indexed pre-filter and the text test remain.
    assert "CAST(rows.data AS TEXT)" in sql and "to_char" not in sql and "true" not in sql.lower().split("like")[0]


async def test_duplicate_keeps_filters_sorts_and_groups(api: Api) -> None:
    table = await _table(api)
    grid = (await api.get(f"{V}/table/{table['id']}/"))[0]
    group = await api.post(f"{V}/{grid['id']}/filter-groups/", {"filter_type": "OR"})
    ville = table["by_name"]["Ville"]["id"]
    await api.post(
        f"{V}/{grid['id']}/filters/", {"field": ville, "type": "contains", "value": "l", "group": group["id"]}
    )
    await api.post(f"{V}/{grid['id']}/sortings/", {"field": ville, "order": "DESC"})
    copy = await api.post(f"{V}/{grid['id']}/duplicate/")
    assert copy["filter_groups"][0]["id"] != group["id"]
    assert copy["filters"][0]["group"] == copy["filter_groups"][0]["id"]
    assert [s["field"] for s in copy["sortings"]] == [ville]
    original = await api.rows(table["id"], view_id=grid["id"])
    duplicated = await api.rows(table["id"], view_id=copy["id"])
    assert [r["id"] for r in original["results"]] == [r["id"] for r in duplicated["results"]]
    unknown = await api.patch(f"{V}/{grid['id']}/", {"colour": "red"}, expect=400)
    assert "colour" in unknown["detail"]
