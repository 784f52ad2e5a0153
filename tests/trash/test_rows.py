"""Rows: deleted into the trash with their links both ways, restored with computed values correct again."""

from __future__ import annotations

from sqlalchemy import text

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api
from tests.trash.helpers import all_rows, entries, linked_pair, restore


async def test_row_restore_brings_back_links_both_ways_and_computed_values(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    before_p, before_t = await all_rows(api, projects), await all_rows(api, tasks)

    # A task (links out of it) and a project (links into it) in two deletes.
    test_task = s["task_ids"][1]
    await api.delete(f"/api/database/rows/table/{tasks}/{test_task}/")
    await api.post(f"/api/database/rows/table/{projects}/batch-delete/", {"items": [s["project_ids"][1]]}, expect=204)

    after_p, after_t = await all_rows(api, projects), await all_rows(api, tasks)
    assert [r["id"] for r in after_p] == [s["project_ids"][0]]
    assert after_p[0]["Task count"] != before_p[0]["Task count"]
    assert after_p[0]["Total hours"] != before_p[0]["Total hours"]
    ship = next(r for r in after_t if r["Name"] == "ship")
    assert ship["Project"] == []
    listed = await entries(api)
    assert listed["count"] == 2
    assert {e["trash_item_type"] for e in listed["results"]} == {"row"}
    assert {e["name"] for e in listed["results"]} == {"test", "Beta"}
    await assert_consistent(engine, app, api.database_id)

    await restore(api, "row", s["project_ids"][1], projects)
    await restore(api, "row", test_task, tasks)

    assert await all_rows(api, projects) == before_p
    assert await all_rows(api, tasks) == before_t
    assert (await entries(api))["count"] == 0
    assert (await api.get(f"/api/database/rows/table/{tasks}/"))["count"] == 3
    await assert_consistent(engine, app, api.database_id)
    async with engine.connect() as conn:
        left = (
            await conn.execute(
                text("SELECT count(*) FROM trashed_rows WHERE table_id IN (:p, :t)"), {"p": projects, "t": tasks}
            )
        ).scalar_one()
    assert left == 0


async def test_restoring_twice_and_a_row_whose_other_end_is_gone(api: Api, engine, app):
    s = await linked_pair(api)
    projects, tasks = s["projects"]["id"], s["tasks"]["id"]
    write = s["task_ids"][0]
    await api.delete(f"/api/database/rows/table/{tasks}/{write}/")
    # The project it linked to goes for good while the task is in the trash.
    await api.delete(f"/api/database/rows/table/{projects}/{s['project_ids'][0]}/")
    project_entry = next(e for e in (await entries(api))["results"] if e["trash_item_id"] == s["project_ids"][0])
    await api.delete(f"/api/trash/entry/{project_entry['id']}/")

    await restore(api, "row", write, tasks)
    again = await restore(api, "row", write, tasks, expect=404)
    assert again["error"] == "ERROR_TRASH_ITEM_DOES_NOT_EXIST"
    row = await api.get(f"/api/database/rows/table/{tasks}/{write}/?user_field_names=true")
    assert row["Project"] == []
    await assert_consistent(engine, app, api.database_id)


async def test_batch_rows_come_back_in_their_order_and_emit_created_events(api: Api, engine):
    table = await api.table("Order")
    created = await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": f"r{i}"} for i in range(6)]},
    )
    ids = [r["id"] for r in created["items"]]
    before = await all_rows(api, table["id"])
    await api.post(f"/api/database/rows/table/{table['id']}/batch-delete/", {"items": ids[1:4]}, expect=204)
    listed = await entries(api, table_id=table["id"])
    assert listed["results"][0]["names"] == ["r1", "r2", "r3"]
    # Any row of the batch names the batch, as Baserow's "rows" items do.
    await restore(api, "row", ids[2], table["id"])
    page = await api.get(f"/api/database/rows/table/{table['id']}/?user_field_names=true")
    assert [r["Name"] for r in page["results"]] == ["r0", "r1", "r2", "r3", "r4", "r5"]
    assert await all_rows(api, table["id"]) == before
    async with engine.connect() as conn:
        events = (
            (
                await conn.execute(
                    text("SELECT payload FROM outbox WHERE table_id = :t AND event_type = 'rows.created' ORDER BY id"),
                    {"t": table["id"]},
                )
            )
            .scalars()
            .all()
        )
    assert sorted(events[-1]["row_ids"]) == sorted(ids[1:4])
