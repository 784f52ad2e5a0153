"""Undo and redo of row writes: cell edits, a paste in several requests, creation, deletion with links."""

from __future__ import annotations

from sqlalchemy import text

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api
from tests.trash.helpers import all_rows, linked_pair
from tests.undo.helpers import by_id, in_tab, redo, undo


async def test_cell_edit_is_undone_and_redone(api: Api):
    table = await api.table("Edits", [{"name": "Hours", "type": "number", "number_decimal_places": 1}])
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "a", "Hours": "1.5"})
    in_tab(api)
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/?user_field_names=true", {"Hours": "7"})

    done = await undo(api, table=t)
    assert done["result_code"] == "SUCCESS"
    assert done["actions"] == [{"action_type": "update_rows", "action_scope": f"table{t}", "count": 1}]
    assert (await by_id(api, t))[row["id"]]["Hours"] == "1.5"
    # The creation was made without a tab: nothing more to undo.
    assert (await undo(api, table=t))["result_code"] == "NOTHING_TO_DO"

    again = await redo(api, table=t)
    assert again["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Hours"] == "7.0"
    assert (await redo(api, table=t))["result_code"] == "NOTHING_TO_DO"
    # Undone again after the redo: the chain goes both ways.
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Hours"] == "1.5"


async def test_a_paste_in_three_requests_is_one_action(api: Api):
    table = await api.table("Paste")
    t = table["id"]
    created = await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true", {"items": [{"Name": f"r{i}"} for i in range(6)]}
    )
    ids = [r["id"] for r in created["items"]]
    in_tab(api)
    await api.patch(f"/api/database/rows/table/{t}/{ids[5]}/?user_field_names=true", {"Name": "alone"})
    paste = {"ClientUndoRedoActionGroupId": "paste-1"}
    for chunk in (ids[0:2], ids[2:4], ids[4:5]):
        await api.patch(
            f"/api/database/rows/table/{t}/batch/?user_field_names=true",
            {"items": [{"id": i, "Name": f"pasted {i}"} for i in chunk]},
            headers=paste,
        )
    done = await undo(api, table=t)
    assert done["result_code"] == "SUCCESS"
    assert [a["count"] for a in done["actions"]] == [1, 2, 2]
    rows = await by_id(api, t)
    assert [rows[i]["Name"] for i in ids] == ["r0", "r1", "r2", "r3", "r4", "alone"]

    assert (await redo(api, table=t))["result_code"] == "SUCCESS"
    rows = await by_id(api, t)
    assert [rows[i]["Name"] for i in ids[:5]] == [f"pasted {i}" for i in ids[:5]]


async def test_row_creation_undone_to_the_trash_and_redone_with_its_id(api: Api, engine):
    table = await api.table("Create")
    t = table["id"]
    in_tab(api)
    row = await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "new"})
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert row["id"] not in await by_id(api, t)
    assert (await api.get(f"/api/database/rows/table/{t}/"))["count"] == 0
    assert (await redo(api, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Name"] == "new"
    async with engine.connect() as conn:
        left = (await conn.execute(text("SELECT count(*) FROM trash_entries WHERE table_id = :t"), {"t": t})).scalar()
    assert left == 0


async def test_row_deletion_comes_back_with_links_and_rollups_elsewhere(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    in_tab(api)
    await api.post(f"/api/database/rows/table/{tasks}/batch-delete/", {"items": s["task_ids"][:2]}, expect=204)
    assert (await all_rows(api, projects))[0]["Total hours"] != before_p[0]["Total hours"]

    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert await all_rows(api, tasks) == before_t
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)

    assert (await redo(api, table=tasks))["result_code"] == "SUCCESS"
    assert [r["id"] for r in await all_rows(api, tasks)] == s["task_ids"][2:]
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)


async def test_link_cell_edit_is_undone_with_the_other_side(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)
    in_tab(api)
    await api.patch(
        f"/api/database/rows/table/{tasks}/{s['task_ids'][0]}/?user_field_names=true",
        {"Project": [s["project_ids"][1]], "Hours": "10"},
    )
    assert (await undo(api, table=tasks))["result_code"] == "SUCCESS"
    assert await all_rows(api, tasks) == before_t
    assert await all_rows(api, projects) == before_p
    await assert_consistent(engine, app, api.database_id)


async def test_a_new_action_after_undo_ends_the_redo_chain(api: Api):
    table = await api.table("Chain")
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "v0"})
    in_tab(api)
    for value in ("v1", "v2"):
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/?user_field_names=true", {"Name": value})
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/?user_field_names=true", {"Name": "v3"})
    assert (await redo(api, table=t))["result_code"] == "NOTHING_TO_DO"
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Name"] == "v1"
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Name"] == "v0"


async def test_scopes_keep_tables_apart(api: Api):
    one, two = await api.table("One"), await api.table("Two")
    in_tab(api)
    a = await api.post(f"/api/database/rows/table/{one['id']}/?user_field_names=true", {"Name": "in one"})
    await api.post(f"/api/database/rows/table/{two['id']}/?user_field_names=true", {"Name": "in two"})
    # The newest action is in table two, but the page of table one undoes its own.
    assert (await undo(api, table=one["id"]))["result_code"] == "SUCCESS"
    assert a["id"] not in await by_id(api, one["id"])
    assert len(await by_id(api, two["id"])) == 1
    assert (await undo(api))["result_code"] == "NOTHING_TO_DO"
