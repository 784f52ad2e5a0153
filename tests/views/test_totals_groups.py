"""Footer totals computed in SQL under the view's filters, group-by counts, and the grid list endpoint."""

from __future__ import annotations

from tests.factories import Api

V = "/api/database/views"


async def _table(api: Api) -> dict:
    table = await api.table(
        "Actions",
        [
            {"name": "Budget", "type": "number", "number_decimal_places": 2},
            {"name": "Fait", "type": "boolean"},
            {"name": "Quand", "type": "date"},
            {"name": "Ville", "type": "text"},
            {"name": "Caché", "type": "number"},
        ],
    )
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {
            "items": [
                {
                    "Name": "a",
                    "Budget": "10",
                    "Fait": True,
                    "Quand": "2024-01-05",
                    "Ville": "Lyon",
                    "Caché": "1000",
                },
                {
                    "Name": "b",
                    "Budget": "20",
                    "Fait": False,
                    "Quand": "2024-03-01",
                    "Ville": "Lyon",
                    "Caché": "2000",
                },
                {"Name": "c", "Budget": "60", "Fait": True, "Ville": "Paris", "Caché": "3000"},
                {"Name": "d", "Ville": "Nantes"},
            ]
        },
    )
    return table


async def test_single_totals(api: Api, client) -> None:
    table = await _table(api)
    by = table["by_name"]
    grid = (await api.get(f"{V}/table/{table['id']}/"))[0]
    url = f"{V}/grid/{grid['id']}/field-aggregation"

    async def total(field: str, kind: str, **params: str) -> object:
        return (await api.get(f"{url}/{by[field]['id']}/", params={"type": kind, **params}))["value"]

    assert await total("Budget", "sum") == "90"
    assert await total("Budget", "average") == "30"
    assert await total("Budget", "median") == "20"
    assert await total("Budget", "min") == "10" and await total("Budget", "max") == "60"
    assert await total("Budget", "empty_count") == 1 and await total("Budget", "not_empty_count") == 3
    assert await total("Budget", "empty_percentage") == "25"
    assert await total("Ville", "unique_count") == 3
    assert await total("Ville", "count") == 4
    assert await total("Fait", "checked_count") == 2 and await total("Fait", "checked_percentage") == "50"
    assert await total("Quand", "earliest_date") == "2024-01-05" and await total("Quand", "latest_date") == "2024-03-01"
    assert await total("Ville", "distribution") == [
        {"value": "Lyon", "count": 2},
        {"value": "Nantes", "count": 1},
        {"value": "Paris", "count": 1},
    ]
    assert await total("Ville", "count", search="lyon") == 2
    bad = await api.get(f"{url}/{by['Ville']['id']}/", params={"type": "sum"}, expect=400)
    assert bad["error"] == "ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD"
    bad = await api.get(f"{url}/{by['Ville']['id']}/", params={"type": "nope"}, expect=400)
    assert bad["error"] == "ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST"
    # The view's filters apply.
    await api.post(f"{V}/{grid['id']}/filters/", {"field": by["Ville"]["id"], "type": "equal", "value": "Lyon"})
    assert await total("Budget", "sum") == "30"


async def test_footer_totals_private_and_public(api: Api, client) -> None:
    table = await _table(api)
    by = table["by_name"]
    grid = await api.post(f"{V}/table/{table['id']}/", {"name": "Totaux", "type": "grid"})
    await api.patch(
        f"{V}/{grid['id']}/field-options/",
        {
            "field_options": {
                str(by["Budget"]["id"]): {"aggregation_raw_type": "sum"},
                str(by["Caché"]["id"]): {"aggregation_raw_type": "sum", "hidden": True},
            }
        },
    )
    own = await api.get(f"{V}/grid/{grid['id']}/field-aggregations/", params={"include": "total"})
    assert own == {f"field_{by['Budget']['id']}": "90", "total": 4}
    shared = await api.patch(f"{V}/{grid['id']}/", {"public": True})
    public = await client.get(f"{V}/grid/{shared['slug']}/public/field-aggregations/", params={"include": "total"})
    assert public.json() == {f"field_{by['Budget']['id']}": "90", "total": 4}
    assert "6000" not in public.text
    # A hidden field cannot narrow the public totals either.
    probe = await client.get(
        f"{V}/grid/{shared['slug']}/public/field-aggregations/",
        params={f"filter__field_{by['Caché']['id']}__higher_than": "1500"},
    )
    assert probe.status_code == 400


async def test_grid_list_with_group_by_counts(api: Api) -> None:
    table = await _table(api)
    by = table["by_name"]
    grid = (await api.get(f"{V}/table/{table['id']}/"))[0]
    await api.post(f"{V}/{grid['id']}/group_bys/", {"field": by["Ville"]["id"], "order": "ASC"})
    await api.post(f"{V}/{grid['id']}/group_bys/", {"field": by["Fait"]["id"], "order": "DESC"})
    listed = await api.get(f"{V}/grid/{grid['id']}/", params={"include": "field_options", "user_field_names": "1"})
    assert [r["Name"] for r in listed["results"]] == ["a", "b", "d", "c"]
    ville = f"field_{by['Ville']['id']}"
    assert listed["group_by_metadata"][ville] == [
        {ville: "Lyon", "count": 2},
        {ville: "Nantes", "count": 1},
        {ville: "Paris", "count": 1},
    ]
    fait = f"field_{by['Fait']['id']}"
    assert {ville: "Lyon", fait: True, "count": 1} in listed["group_by_metadata"][fait]
    assert str(by["Ville"]["id"]) in listed["field_options"]
    assert (await api.get(f"{V}/grid/{grid['id']}/", params={"count": "true"})) == {"count": 4}
    form = await api.post(f"{V}/table/{table['id']}/", {"name": "F", "type": "form"})
    await api.post(f"{V}/{form['id']}/group_bys/", {"field": by["Ville"]["id"]}, expect=400)
    await api.get(f"{V}/grid/{form['id']}/", expect=404)


async def test_kanban_columns_and_calendar_days(api: Api) -> None:
    table = await api.table(
        "Tâches",
        [
            {
                "name": "Étape",
                "type": "single_select",
                "select_options": [{"value": "À faire", "color": "red"}, {"value": "Fait", "color": "green"}],
            },
            {"name": "Le", "type": "date", "date_include_time": True},
        ],
    )
    by = table["by_name"]
    steps = {o["value"]: o["id"] for o in by["Étape"]["select_options"]}
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "a", "Étape": steps["À faire"], "Le": "2024-05-01T22:30:00Z"},
                {"Name": "b", "Étape": steps["Fait"], "Le": "2024-05-02T08:00:00Z"},
                {"Name": "c"},
            ]
        },
    )
    kanban = await api.post(
        f"{V}/table/{table['id']}/", {"name": "K", "type": "kanban", "single_select_field": by["Étape"]["id"]}
    )
    board = await api.get(f"{V}/kanban/{kanban['id']}/")
    assert {k: v["count"] for k, v in board["rows"].items()} == {
        "null": 1,
        str(steps["À faire"]): 1,
        str(steps["Fait"]): 1,
    }
    calendar = await api.post(
        f"{V}/table/{table['id']}/", {"name": "C", "type": "calendar", "date_field": by["Le"]["id"]}
    )
    days = await api.get(
        f"{V}/calendar/{calendar['id']}/",
        params={
            "from_timestamp": "2024-05-01T00:00:00",
            "to_timestamp": "2024-06-01T00:00:00",
            "user_timezone": "Europe/Paris",
        },
    )
    assert {d: v["count"] for d, v in days["rows"].items()} == {"2024-05-02": 2}
    await api.get(
        f"{V}/calendar/{kanban['id']}/",
        params={"from_timestamp": "2024-05-01", "to_timestamp": "2024-05-02"},
        expect=404,
    )
