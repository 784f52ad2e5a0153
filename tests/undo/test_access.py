"""Whose actions may be undone, what is recorded at all, hostile headers, and failures that write nothing."""

from __future__ import annotations

from sqlalchemy import text

from nocodedb.services import undo as undo_service
from tests.factories import Api, signed_up
from tests.undo.helpers import by_id, in_tab, redo, undo


async def _actions(engine, **where: object) -> int:
    clause = " AND ".join(f"{k} = :{k}" for k in where) or "true"
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM undo_actions WHERE {clause}"), where)).scalar_one())


async def _editor(owner: Api, role: str = "editor") -> Api:
    person = await signed_up(owner.client, name=f"Member {role}")
    await owner.post(
        f"/api/workspaces/users/workspace/{owner.workspace_id}/", {"email": person.email, "permissions": role}
    )
    return person


async def test_another_tab_or_user_cannot_undo_my_actions(api: Api, engine):
    table = await api.table("Mine")
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "before"})
    in_tab(api, "tab-a")
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/?user_field_names=true", {"Name": "after"})

    colleague = in_tab(await _editor(api), "tab-a")  # even with the same session id
    assert (await undo(colleague, table=t))["result_code"] == "NOTHING_TO_DO"
    other_tab = in_tab(Api(api.client, api.token, api.user, api.email, api.password), "tab-b")  # same person
    assert (await undo(other_tab, table=t))["result_code"] == "NOTHING_TO_DO"
    assert (await by_id(api, t))[row["id"]]["Name"] == "after"
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"


async def test_nothing_is_recorded_without_a_session_or_through_a_token(api: Api, engine):
    table = await api.table("Scripts")
    t = table["id"]
    user_id = api.user["id"]
    await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "no header"})
    token = await api.post("/api/database/tokens/", {"name": "script", "workspace": api.workspace_id})
    await api.client.post(
        f"/api/database/rows/table/{t}/?user_field_names=true",
        json={"Name": "by token"},
        headers={"Authorization": f"Token {token['key']}", "ClientSessionId": "tab-1"},
    )
    assert len(await by_id(api, t)) == 2
    assert await _actions(engine, user_id=user_id) == 0
    # Undo itself needs the header.
    missing = await undo(api, expect=400, table=t)
    assert missing["error"] == "ERROR_CLIENT_SESSION_ID_HEADER_NOT_SET"


async def test_hostile_headers_and_bodies(api: Api, engine):
    table = await api.table("Hostile")
    t = table["id"]
    for bad in ("x" * 65, "tab one", "tab;DROP TABLE rows", "'", "ü", ""):
        response = await api.client.post(
            f"/api/database/rows/table/{t}/?user_field_names=true",
            json={"Name": "x"},
            headers={**api.headers, "ClientSessionId": bad.encode()},
        )
        assert response.status_code == 200
    assert await _actions(engine, user_id=api.user["id"]) == 0
    in_tab(api, "x" * 64)
    # A bad group id is ignored: the request still makes its own group.
    await api.post(
        f"/api/database/rows/table/{t}/?user_field_names=true",
        {"Name": "y"},
        headers={"ClientUndoRedoActionGroupId": "a b"},
    )
    async with engine.connect() as conn:
        group = (
            await conn.execute(text("SELECT action_group FROM undo_actions WHERE table_id = :t"), {"t": t})
        ).scalar()
    assert group.startswith("tx")
    for body in ({"scopes": {"table": "1"}}, {"scopes": {"table": -1}}, {"scopes": [1]}, {"scopes": {"table": 2**63}}):
        answer = await api.post("/api/user/undo/", body, expect=400)
        assert answer["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    await api.post("/api/user/undo/", {"unknown": 1}, expect=400)
    refused = await api.post("/api/user/redo/", {}, headers={"ClientSessionId": "a;b"}, expect=400)
    assert refused["error"] == "ERROR_CLIENT_SESSION_ID_HEADER_NOT_SET"
    assert await _actions(engine, table_id=t) == 1


async def test_lost_permission_and_rows_gone_for_good_are_skipped_writing_nothing(api: Api, engine):
    table = await api.table("Skips")
    t = table["id"]
    rows = await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true", {"items": [{"Name": "a"}, {"Name": "b"}]}
    )
    a, b = (r["id"] for r in rows["items"])
    editor = in_tab(await _editor(api))
    await editor.patch(f"/api/database/rows/table/{t}/{a}/?user_field_names=true", {"Name": "a2"})
    # One group of two edits; the second row is then deleted for good (trash emptied) by the owner.
    group = {"ClientUndoRedoActionGroupId": "g1"}
    await editor.patch(f"/api/database/rows/table/{t}/{a}/?user_field_names=true", {"Name": "a3"}, headers=group)
    await editor.patch(f"/api/database/rows/table/{t}/{b}/?user_field_names=true", {"Name": "b2"}, headers=group)
    await api.delete(f"/api/database/rows/table/{t}/{b}/")
    await api.delete(f"/api/trash/workspace/{api.workspace_id}/")

    skipped = await undo(editor, table=t)
    assert skipped["result_code"] == "SKIPPED" and skipped["error"] == "ERROR_ROW_DOES_NOT_EXIST"
    assert len(skipped["actions"]) == 2
    assert (await by_id(api, t))[a]["Name"] == "a3"  # the group's other edit was not undone either
    # The next undo reaches the action before the skipped group.
    assert (await undo(editor, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[a]["Name"] == "a"
    assert (await redo(editor, table=t))["result_code"] == "SUCCESS"

    await api.patch(
        f"/api/workspaces/users/workspace/{api.workspace_id}/{editor.user['id']}/", {"permissions": "viewer"}
    )
    lost = await undo(editor, table=t)
    assert lost["result_code"] == "SKIPPED" and lost["error"] == "ERROR_PERMISSION_DENIED"
    assert (await by_id(api, t))[a]["Name"] == "a2"
    assert await _actions(engine, table_id=t) == 0


async def test_retention_keeps_the_last_hundred_per_session_and_one_day(api: Api, engine):
    table = await api.table("Many")
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/?user_field_names=true", {"Name": "0"})
    in_tab(api)
    for i in range(1, 104):
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/?user_field_names=true", {"Name": str(i)})
    assert await _actions(engine, table_id=t) == undo_service.KEEP_PER_SESSION
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE undo_actions SET created_at = now() - interval '25 hours' WHERE table_id = :t AND id IN"
                " (SELECT id FROM undo_actions WHERE table_id = :t ORDER BY id DESC LIMIT 1)"
            ),
            {"t": t},
        )
    # Too old to undo, and purged.
    assert (await undo(api, table=t))["result_code"] == "SUCCESS"
    assert (await by_id(api, t))[row["id"]]["Name"] == "101"
    async with engine.begin() as conn:
        assert await undo_service.purge(conn) >= 1
    assert await _actions(engine, table_id=t) == undo_service.KEEP_PER_SESSION - 1
