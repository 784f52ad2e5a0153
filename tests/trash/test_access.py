"""Who may see, restore and empty the trash; hostile input gets a clear error and changes nothing."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import Api, signed_up
from tests.trash.helpers import entries, linked_pair, restore


async def _member(owner: Api, role: str) -> Api:
    person = await signed_up(owner.client, name=f"Member {role}")
    await owner.post(
        f"/api/workspaces/users/workspace/{owner.workspace_id}/", {"email": person.email, "permissions": role}
    )
    return person


async def _count_entries(engine, workspace_id: int) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text("SELECT count(*) FROM trash_entries WHERE workspace_id = :w"), {"w": workspace_id}
                )
            ).scalar_one()
        )


async def test_roles_and_strangers(api: Api, engine):
    table = await api.table("Secrets", [{"name": "Note", "type": "text"}])
    row = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "hidden"})
    await api.delete(f"/api/database/rows/table/{table['id']}/{row['id']}/")
    note = table["by_name"]["Note"]["id"]
    await api.delete(f"/api/database/fields/{note}/", expect=200)
    viewer, editor, outsider = await _member(api, "viewer"), await _member(api, "editor"), await signed_up(api.client)
    ws = f"/api/trash/workspace/{api.workspace_id}/"

    refused = await outsider.call("GET", ws, expect=400)
    assert refused["error"] == "ERROR_USER_NOT_IN_GROUP"
    assert all(w["id"] != api.workspace_id for w in (await outsider.get("/api/trash/"))["workspaces"])
    gone = await restore(outsider, "row", row["id"], table["id"], expect=404)
    assert gone["error"] == "ERROR_TRASH_ITEM_DOES_NOT_EXIST"
    assert (await outsider.call("DELETE", ws, expect=400))["error"] == "ERROR_USER_NOT_IN_GROUP"
    entry_id = (await entries(api))["results"][0]["id"]
    await outsider.call("DELETE", f"/api/trash/entry/{entry_id}/", expect=404)

    assert (await viewer.get(ws))["count"] == 2
    assert (await restore(viewer, "row", row["id"], table["id"], expect=403))["error"] == "ERROR_PERMISSION_DENIED"
    await viewer.call("DELETE", ws, expect=403)
    await viewer.call("DELETE", f"/api/trash/entry/{entry_id}/", expect=403)
    # An editor may restore rows, not fields, and may not empty a trash that holds a field.
    await restore(editor, "field", note, table["id"], expect=403)
    await editor.call("DELETE", ws, expect=403)
    assert await _count_entries(engine, api.workspace_id) == 2
    await restore(editor, "row", row["id"], table["id"])
    await restore(api, "field", note, table["id"])
    assert await _count_entries(engine, api.workspace_id) == 0


async def test_hostile_inputs_are_refused_cleanly(api: Api, engine):
    other = await signed_up(api.client)
    table = await api.table("Mine")
    row = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "x"})
    await api.delete(f"/api/database/rows/table/{table['id']}/{row['id']}/")

    bad_type = await restore(api, "workspace", row["id"], table["id"], expect=400)
    assert bad_type["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    for item_id in (0, -4, 2**63 - 1):
        await restore(api, "row", item_id, table["id"], expect=404)
    await restore(api, "row", row["id"], table["id"] + 1000, expect=404)
    missing = await api.call("PATCH", "/api/trash/restore/", expect=400, json={"trash_item_id": row["id"]})
    assert missing["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    huge = await api.call(
        "PATCH", "/api/trash/restore/", expect=400, json={"trash_item_type": "row", "trash_item_id": 2**70}
    )
    assert huge["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    # Another workspace's member cannot reach this entry, whatever ids they send.
    await restore(other, "row", row["id"], table["id"], expect=404)
    await other.call("GET", f"/api/trash/workspace/{api.workspace_id}/", expect=400)
    assert (await api.call("GET", f"/api/trash/workspace/{api.workspace_id}/?page=9", expect=404))[
        "error"
    ] == "ERROR_INVALID_PAGE"
    await api.call("GET", f"/api/trash/workspace/{api.workspace_id}/?page=x", expect=400)
    await api.call("GET", f"/api/trash/workspace/{api.workspace_id}/?application_id=x", expect=400)
    assert await _count_entries(engine, api.workspace_id) == 1
    await restore(api, "row", row["id"], table["id"])


async def test_failed_restore_writes_nothing(api: Api, engine):
    s = await linked_pair(api)
    tasks, projects = s["tasks"]["id"], s["projects"]["id"]
    await api.delete(f"/api/database/fields/{s['link']['id']}/", expect=200)
    await api.delete(f"/api/database/tables/{projects}/")
    fields_before = await api.get(f"/api/database/fields/table/{tasks}/")
    refused = await restore(api, "field", s["link"]["id"], tasks, expect=400)
    assert refused["error"] == "ERROR_CANT_RESTORE_AS_RELATED_TABLE_TRASHED"
    assert await api.get(f"/api/database/fields/table/{tasks}/") == fields_before
    assert await _count_entries(engine, api.workspace_id) == 2
    # Once the linked table is back, the link field comes back too.
    await restore(api, "table", projects, api.database_id)
    await restore(api, "field", s["link"]["id"], tasks)
    row = await api.get(f"/api/database/rows/table/{tasks}/{s['task_ids'][1]}/?user_field_names=true")
    assert sorted(link["id"] for link in row["Project"]) == sorted(s["project_ids"])
