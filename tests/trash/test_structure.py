"""Fields, views, tables and databases: trashed with what depends on them, restored with the same ids."""

from __future__ import annotations

from sqlalchemy import text

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api
from tests.trash.helpers import all_rows, entries, linked_pair, restore


async def test_field_restore_brings_values_and_revives_a_formula(api: Api, engine, app):
    table = await api.table("Budget", [{"name": "Price", "type": "number", "number_decimal_places": 2}])
    formula = await api.post(
        f"/api/database/fields/table/{table['id']}/",
        {"name": "Double", "type": "formula", "formula": "field('Price') * 2"},
    )
    price = table["by_name"]["Price"]["id"]
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "a", "Price": "1.50"}, {"Name": "b", "Price": "10"}, {"Name": "c"}]},
    )
    before = await all_rows(api, table["id"])
    await api.delete(f"/api/database/fields/{price}/", expect=200)
    broken = await api.get(f"/api/database/fields/{formula['id']}/")
    assert broken["error"]
    assert all("Price" not in r for r in await all_rows(api, table["id"]))

    listed = await entries(api)
    assert [(e["trash_item_type"], e["trash_item_id"], e["name"]) for e in listed["results"]] == [
        ("field", price, "Price")
    ]
    await restore(api, "field", price, table["id"])
    fixed = await api.get(f"/api/database/fields/{formula['id']}/")
    assert fixed["error"] is None
    assert await all_rows(api, table["id"]) == before
    await assert_consistent(engine, app, api.database_id)


async def test_link_field_restore_brings_its_other_side_links_and_lookups(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    await api.delete(f"/api/database/fields/{s['link']['id']}/", expect=200)
    assert all("Project" not in r for r in await all_rows(api, tasks))
    assert all(r["Task count"] in (0, "0") for r in await all_rows(api, projects))

    await restore(api, "field", s["link"]["id"], tasks)
    assert await all_rows(api, tasks) == before_t
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)


async def test_view_restore_keeps_id_filters_and_sorts(api: Api):
    table = await api.table("Views", [{"name": "Size", "type": "number"}])
    view = await api.post(f"/api/database/views/table/{table['id']}/", {"name": "Big", "type": "grid"})
    size = table["by_name"]["Size"]["id"]
    await api.post(f"/api/database/views/{view['id']}/filters/", {"field": size, "type": "higher_than", "value": "3"})
    await api.post(f"/api/database/views/{view['id']}/sortings/", {"field": size, "order": "DESC"})
    before = await api.get(f"/api/database/views/{view['id']}/?include=filters,sortings")
    await api.delete(f"/api/database/views/{view['id']}/")
    await api.get(f"/api/database/views/{view['id']}/", expect=404)
    await restore(api, "view", view["id"], table["id"])
    assert await api.get(f"/api/database/views/{view['id']}/?include=filters,sortings") == before


async def test_table_restore_with_rows_views_and_a_link_from_another_table(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    fields_before = await api.get(f"/api/database/fields/table/{tasks}/")
    views_before = await api.get(f"/api/database/views/table/{projects}/")

    await api.delete(f"/api/database/tables/{projects}/")
    await api.get(f"/api/database/tables/{projects}/", expect=404)
    # The link field of the other table went with it.
    assert all(f["type"] != "link_row" for f in await api.get(f"/api/database/fields/table/{tasks}/"))
    structure = await api.get("/api/trash/")
    app_entry = next(a for w in structure["workspaces"] for a in w["applications"] if a["id"] == api.database_id)
    assert {(t["id"], t["trashed"]) for t in app_entry["tables"]} == {(tasks, False), (projects, True)}
    await assert_consistent(engine, app, api.database_id)

    # A row of the trashed table cannot come back before its table.
    await restore(api, "table", projects, api.database_id)
    assert await api.get(f"/api/database/fields/table/{tasks}/") == fields_before
    assert await api.get(f"/api/database/views/table/{projects}/") == views_before
    assert await all_rows(api, projects) == before_p
    assert await all_rows(api, tasks) == before_t
    assert (await api.get(f"/api/database/rows/table/{projects}/"))["count"] == 2
    await assert_consistent(engine, app, api.database_id)


async def test_row_of_a_trashed_table_waits_for_its_table(api: Api):
    table = await api.table("Parent")
    row = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "kept"})
    await api.delete(f"/api/database/rows/table/{table['id']}/{row['id']}/")
    await api.delete(f"/api/database/tables/{table['id']}/")
    refused = await restore(api, "row", row["id"], table["id"], expect=400)
    assert refused["error"] == "ERROR_CANNOT_RESTORE_PARENT_BEFORE_CHILD"
    await restore(api, "table", table["id"], api.database_id)
    await restore(api, "row", row["id"], table["id"])
    got = await api.get(f"/api/database/rows/table/{table['id']}/{row['id']}/?user_field_names=true")
    assert got["Name"] == "kept"


async def test_database_restore(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    database = await api.get(f"/api/applications/{api.database_id}/")
    await api.delete(f"/api/applications/{api.database_id}/")
    await api.get(f"/api/applications/{api.database_id}/", expect=404)
    listed = await entries(api)
    assert [(e["trash_item_type"], e["trash_item_id"]) for e in listed["results"]] == [("application", api.database_id)]
    await restore(api, "application", api.database_id)
    assert await api.get(f"/api/applications/{api.database_id}/") == database
    assert await all_rows(api, projects) == before_p
    assert await all_rows(api, tasks) == before_t
    # Writes work again on the re-attached partitions, computed values included.
    await api.post(
        f"/api/database/rows/table/{tasks}/?user_field_names=true",
        {"Name": "more", "Hours": "1", "Project": [s["project_ids"][0]]},
    )
    await assert_consistent(engine, app, api.database_id)
    async with engine.connect() as conn:
        attached = (
            await conn.execute(
                text("SELECT count(*) FROM pg_inherits WHERE inhrelid IN (to_regclass(:a), to_regclass(:b))"),
                {"a": f"rows_{projects}", "b": f"rows_{tasks}"},
            )
        ).scalar_one()
    assert attached == 2
