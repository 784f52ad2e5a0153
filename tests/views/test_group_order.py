"""Group counts come in the order of the grid's rows (what the web page places its group headers by), and a
large table sorted by a single select answers (its sort has no index form)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from nocodedb.app import create_app
from tests.factories import Api, signed_up

V = "/api/database/views"


async def _select_table(api: Api) -> tuple[dict, dict[str, int]]:
    # Option ids in the opposite order of their labels: ordering groups by id would put "Zoé" first.
    table = await api.table(
        "Équipes",
        [
            {
                "name": "Équipe",
                "type": "single_select",
                "select_options": [{"value": "Zoé", "color": "red"}, {"value": "arbres", "color": "green"}],
            },
            {"name": "Montant", "type": "number"},
        ],
    )
    options = {o["value"]: o["id"] for o in table["by_name"]["Équipe"]["select_options"]}
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "a", "Équipe": options["Zoé"], "Montant": "1"},
                {"Name": "b", "Équipe": options["arbres"], "Montant": "2"},
                {"Name": "c", "Équipe": None, "Montant": "3"},
                {"Name": "d", "Équipe": options["Zoé"], "Montant": "1"},
            ]
        },
    )
    return table, options


async def test_group_counts_follow_the_row_order(api: Api) -> None:
    table, _ = await _select_table(api)
    by = table["by_name"]
    [grid] = await api.get(f"{V}/table/{table['id']}/")
    team, amount = f"field_{by['Équipe']['id']}", f"field_{by['Montant']['id']}"
    await api.post(f"{V}/{grid['id']}/group_bys/", {"field": by["Équipe"]["id"], "order": "ASC"})
    listed = await api.get(f"{V}/grid/{grid['id']}/", params={"user_field_names": "1"})
    assert [r["Name"] for r in listed["results"]] == ["c", "b", "a", "d"]
    labels = [(e[team] or {}).get("value") for e in listed["group_by_metadata"][team]]
    assert labels == [None, "arbres", "Zoé"]  # empty first, then alphabetical whatever the case
    assert [e["count"] for e in listed["group_by_metadata"][team]] == [1, 1, 2]

    # a second level, descending: its groups nest in the same order as the rows
    await api.post(f"{V}/{grid['id']}/group_bys/", {"field": by["Montant"]["id"], "order": "DESC"})
    listed = await api.get(f"{V}/grid/{grid['id']}/", params={"user_field_names": "1"})
    deepest = [((e[team] or {}).get("value"), e[amount], e["count"]) for e in listed["group_by_metadata"][amount]]
    assert deepest == [(None, "3", 1), ("arbres", "2", 1), ("Zoé", "1", 2)]


async def test_large_table_sorted_by_a_single_select(settings, engine) -> None:
    app = create_app(replace(settings, large_table_rows=3), engine=engine)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            api = await signed_up(client)
            table, _ = await _select_table(api)
            listed = await api.rows(table["id"], order_by=f"field_{table['by_name']['Équipe']['id']}")
            assert [r[f"field_{table['by_name']['Name']['id']}"] for r in listed["results"]] == ["c", "b", "a", "d"]
            await app.state.ctx.indexes.wait()
