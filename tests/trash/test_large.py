"""10,000 rows deleted in one batch and restored, links and a count in another table included."""

from __future__ import annotations

import time

from sqlalchemy import text

from nocodedb.services import rows as row_service
from nocodedb.services.actor import Actor
from nocodedb.services.trash import restore
from tests.computed.test_consistency import assert_consistent
from tests.factories import Api
from tests.trash.helpers import entries

N = 10_000


async def _counts(api: Api, table_id: int) -> dict[str, object]:
    return {r["Name"]: r["Count"] for r in (await api.rows(table_id, user_field_names="true"))["results"]}


async def test_ten_thousand_rows_delete_and_restore(api: Api, engine, app):
    ctx = app.state.ctx
    projects = await api.table("Projects")
    tasks = await api.table("Tasks", [{"name": "Hours", "type": "number"}])
    link = await api.post(
        f"/api/database/fields/table/{tasks['id']}/",
        {"name": "Project", "type": "link_row", "link_row_table_id": projects["id"]},
    )
    await api.post(
        f"/api/database/fields/table/{projects['id']}/",
        {"name": "Count", "type": "count", "through_field_id": link["link_row_related_field_id"]},
    )
    made = await api.post(
        f"/api/database/rows/table/{projects['id']}/batch/?user_field_names=true",
        {"items": [{"Name": f"p{i}"} for i in range(10)]},
    )
    project_ids = [r["id"] for r in made["items"]]
    actor = Actor(user_id=api.user["id"])
    items = [{"Name": f"t{i}", "Hours": str(i % 7), "Project": [project_ids[i % 10]]} for i in range(N)]
    async with engine.begin() as conn:
        _, created = await row_service.create_rows(
            conn, ctx.field_types, actor, tasks["id"], items, user_field_names=True, filter_types=ctx.filter_types
        )
    ids = [r.id for r in created]
    counts_before = await _counts(api, projects["id"])

    started = time.perf_counter()
    async with engine.begin() as conn:
        await row_service.delete_rows(
            conn, actor, tasks["id"], ids, field_types=ctx.field_types, filter_types=ctx.filter_types
        )
    deleted_in = time.perf_counter() - started
    assert (await api.rows(tasks["id"]))["count"] == 0
    emptied = {r["Count"] for r in (await api.rows(projects["id"], user_field_names="true"))["results"]}
    assert emptied == {"0"} or emptied == {0}
    listed = await entries(api)
    assert listed["results"][0]["name"] == "t0" and len(listed["results"][0]["names"]) == 100

    started = time.perf_counter()
    async with engine.begin() as conn:
        await restore(conn, ctx.field_types, ctx.filter_types, actor, "row", ids[0], tasks["id"])
    restored_in = time.perf_counter() - started
    print(f"\n10,000 linked rows: trash {deleted_in:.2f} s, restore {restored_in:.2f} s")

    assert (await api.rows(tasks["id"]))["count"] == N
    counts_after = await _counts(api, projects["id"])
    assert counts_after == counts_before
    async with engine.connect() as conn:
        links = (
            await conn.execute(text("SELECT count(*) FROM links WHERE field_id = :f"), {"f": link["id"]})
        ).scalar_one()
    assert links == N
    await assert_consistent(engine, app, api.database_id)
