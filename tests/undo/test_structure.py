"""Undo and redo of field and view changes: rename, type change with the values back, delete, filters."""

from __future__ import annotations

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api
from tests.trash.helpers import all_rows, linked_pair
from tests.undo.helpers import by_id, in_tab, redo, undo


async def test_field_rename_and_type_change_come_back_with_their_values(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    hours = s["tasks"]["by_name"]["Hours"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    in_tab(api)
    await api.patch(f"/api/database/fields/{hours}/", {"name": "Effort"})
    # Number -> boolean loses every value ("3" is not a boolean): only the kept copy brings them back.
    changed = await api.patch(f"/api/database/fields/{hours}/", {"type": "boolean"})
    assert changed["lost_values"] == 3
    assert all(r["Effort"] is False for r in await all_rows(api, tasks))

    done = await undo(api, table=tasks)
    assert done["result_code"] == "SUCCESS" and done["actions"][0]["action_type"] == "update_field"
    restored = await all_rows(api, tasks)
    assert [r["Effort"] for r in restored] == [r["Hours"] for r in before_t]
    # The rollup over it in the other table is right again.
    assert [r["Total hours"] for r in await all_rows(api, projects)] == [r["Total hours"] for r in before_p]
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert await all_rows(api, tasks) == before_t
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)

    assert (await redo(api, table=tasks))["result_code"] == "SUCCESS"
    assert (await redo(api, table=tasks))["result_code"] == "SUCCESS"
    field = await api.get(f"/api/database/fields/{hours}/")
    assert (field["name"], field["type"]) == ("Effort", "boolean")
    await assert_consistent(engine, app, api.database_id)


async def test_select_to_text_and_back_keeps_option_ids(api: Api):
    table = await api.table(
        "Select",
        [
            {
                "name": "State",
                "type": "single_select",
                "select_options": [{"value": "open", "color": "blue"}, {"value": "done", "color": "green"}],
            }
        ],
    )
    t, state = table["id"], table["by_name"]["State"]["id"]
    options = table["by_name"]["State"]["select_options"]
    await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true",
        {"items": [{"Name": "a", "State": options[1]["id"]}, {"Name": "b", "State": None}]},
    )
    before = await all_rows(api, t)
    in_tab(api)
    # Removing an option empties the cells that had it.
    await api.patch(f"/api/database/fields/{state}/", {"select_options": [options[0]]})
    assert [r["State"] for r in await all_rows(api, t)] == [None, None]
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert await all_rows(api, t) == before
    assert (await api.get(f"/api/database/fields/{state}/"))["select_options"] == options


async def test_field_creation_and_deletion(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    in_tab(api)
    extra = await api.post(f"/api/database/fields/table/{tasks}/", {"name": "Extra", "type": "text"})
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert extra["name"] not in (await all_rows(api, tasks))[0]
    assert (await redo(api, table=tasks))["result_code"] == "SUCCESS"
    assert (await api.get(f"/api/database/fields/{extra['id']}/"))["name"] == "Extra"
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"

    # Deleting the link field takes its other side and empties the count and rollup in Projects.
    await api.delete(f"/api/database/fields/{s['link']['id']}/", expect=200)
    assert "Project" not in (await all_rows(api, tasks))[0]
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert await all_rows(api, tasks) == before_t
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)


async def test_view_filter_and_sort_changes_and_view_deletion(api: Api):
    table = await api.table("Views", [{"name": "Hours", "type": "number"}])
    t, hours = table["id"], table["by_name"]["Hours"]["id"]
    view = await api.post(f"/api/database/views/table/{t}/", {"name": "Grid", "type": "grid"})
    v = view["id"]
    in_tab(api)
    flt = await api.post(f"/api/database/views/{v}/filters/", {"field": hours, "type": "higher_than", "value": "2"})
    await api.patch(f"/api/database/views/filter/{flt['id']}/", {"value": "5"})
    await api.post(f"/api/database/views/{v}/sortings/", {"field": hours, "order": "DESC"})
    await api.patch(f"/api/database/views/{v}/", {"name": "Renamed", "filter_type": "OR"})

    async def state() -> tuple:
        got = await api.get(f"/api/database/views/{v}/?include=filters,sortings")
        return got["name"], got["filter_type"], [f["value"] for f in got["filters"]], len(got["sortings"])

    assert await state() == ("Renamed", "OR", ["5"], 1)
    # View changes belong to the view's scope: the table scope alone does not reach them.
    assert (await undo(api, table=t))["result_code"] == "NOTHING_TO_DO"
    steps = []
    for _ in range(4):
        done = await undo(api, table=t, view=v)
        assert done["actions"][0]["action_scope"] == f"view{v}"
        steps.append(await state())
    assert steps == [
        ("Grid", "AND", ["5"], 1),
        ("Grid", "AND", ["5"], 0),
        ("Grid", "AND", ["2"], 0),
        ("Grid", "AND", [], 0),
    ]
    assert (await redo(api, table=t, view=v))["result_code"] == "SUCCESS"
    assert await state() == ("Grid", "AND", ["2"], 0)

    await api.delete(f"/api/database/views/{v}/")
    assert (await undo(api, table=t, view=v))["actions"][0]["action_type"] == "delete_view"
    assert await state() == ("Grid", "AND", ["2"], 0)
    assert (await redo(api, table=t))["result_code"] == "SUCCESS"
    await api.get(f"/api/database/views/{v}/", expect=404)


async def test_view_creation_is_undone(api: Api):
    table = await api.table("New view")
    in_tab(api)
    view = await api.post(f"/api/database/views/table/{table['id']}/", {"name": "Mine", "type": "grid"})
    assert (await undo(api, table=table["id"]))["actions"][0]["action_type"] == "create_view"
    await api.get(f"/api/database/views/{view['id']}/", expect=404)
    assert (await redo(api, table=table["id"]))["result_code"] == "SUCCESS"
    assert (await api.get(f"/api/database/views/{view['id']}/"))["name"] == "Mine"
    assert len(await by_id(api, table["id"])) == 0
