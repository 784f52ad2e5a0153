"""The audit log: entries for role changes, sharing, exports and templates; listings for admins and staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from nocodedb.db.schema import users
from tests.factories import Api, signed_up

V = "/api/database/views"
PASSWORD = "a secret password 123"


def _log(api: Api) -> str:
    return f"/api/workspace/{api.workspace_id}/audit-log/"


async def _actions(api: Api, **params: Any) -> list[dict[str, Any]]:
    page = await api.get(_log(api), params={"size": 200, **params})
    results: list[dict[str, Any]] = page["results"]
    return results


async def test_each_audited_action_lands_in_the_workspace_log(api: Api, client) -> None:
    member = await signed_up(client, name="Léa")
    await api.post(
        f"/api/workspaces/users/workspace/{api.workspace_id}/", {"email": member.email, "permissions": "viewer"}
    )
    await api.patch(
        f"/api/workspaces/users/workspace/{api.workspace_id}/{member.user['id']}/", {"permissions": "editor"}
    )
    table = await api.table("Contacts")
    grid = (await api.get(f"{V}/table/{table['id']}/"))[0]
    await api.patch(f"{V}/{grid['id']}/", {"public": True})
    await api.patch(f"{V}/{grid['id']}/", {"public_view_password": PASSWORD})
    await api.patch(f"{V}/{grid['id']}/", {"public_view_password": None})
    await api.patch(f"{V}/{grid['id']}/", {"public": False})
    export = await client.get(
        f"/api/database/export/table/{table['id']}/",
        params={"format": "csv", "view_id": grid["id"]},
        headers=api.headers,
    )
    assert export.status_code == 200
    template = await api.get(f"/api/templates/export/database/{api.database_id}/")
    installed = await api.post(f"/api/templates/install/workspace/{api.workspace_id}/", template)
    token = await api.post("/api/database/tokens/", {"name": "Sync", "workspace": api.workspace_id})
    await api.delete(f"/api/database/tokens/{token['id']}/")

    entries = await _actions(api)
    by_action = {e["action"]: e for e in reversed(entries)}  # the latest of each action
    assert by_action["member.added"]["detail"] == {"member": member.user["id"], "role": "viewer"}
    assert by_action["member.role_changed"]["detail"] == {
        "member": member.user["id"],
        "role": "editor",
        "previous_role": "viewer",
    }
    for action in ("view.shared", "view.password_set", "view.password_removed", "view.unshared"):
        assert by_action[action]["detail"] == {"view_id": grid["id"], "table_id": table["id"], "name": grid["name"]}
    assert by_action["table.exported"]["detail"] == {
        "table_id": table["id"],
        "view_id": grid["id"],
        "format": "csv",
        "via": "user",
    }
    assert by_action["database.exported"]["detail"] == {"database_id": api.database_id, "rows": False}
    assert by_action["template.installed"]["detail"]["database_id"] == installed["database"]["id"]
    assert by_action["token.created"]["detail"] == {"token": token["id"]}
    assert by_action["token.revoked"]["detail"] == {"token": token["id"]}
    assert by_action["view.shared"]["user"] == {"id": api.user["id"], "email": api.email, "name": "Camille"}
    assert by_action["view.shared"]["ip"] == "127.0.0.1"
    # Newest first; never a secret in the answer (the view's password, the token's key).
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    page = await client.get(_log(api), params={"size": 200}, headers=api.headers)
    assert PASSWORD not in page.text and token["key"] not in page.text and "argon2" not in page.text


async def test_edit_links_and_token_exports_are_in_the_workspace_log(api: Api, client) -> None:
    table = await api.table("Adhérents")
    row = (await api.post(f"/api/database/rows/table/{table['id']}/", {f"field_{table['fields'][0]['id']}": "Ana"}))[
        "id"
    ]
    form = await api.post(f"{V}/table/{table['id']}/", {"name": "Fiche", "type": "form"})
    await api.patch(
        f"{V}/{form['id']}/field-options/", {"field_options": {str(table["fields"][0]["id"]): {"enabled": True}}}
    )
    links = await api.post(f"{V}/{form['id']}/edit-links/", {"row_ids": [row]})
    sent = await client.post(f"{V}/form/edit/{links[0]['token']}/", json={f"field_{table['fields'][0]['id']}": "Ana B"})
    assert sent.status_code == 200
    await api.delete(f"{V}/edit-link/{links[0]['id']}/")
    token = await api.post("/api/database/tokens/", {"name": "BI", "workspace": api.workspace_id})
    export = await client.get(
        f"/api/database/export/table/{table['id']}/",
        params={"format": "json"},
        headers={"Authorization": f"Token {token['key']}"},
    )
    assert export.status_code == 200
    actions = [e["action"] for e in await _actions(api)]
    for action in ("edit_link.create", "edit_link.update", "edit_link.revoke", "table.exported"):
        assert action in actions
    exported = (await _actions(api, action="table.exported"))[0]
    assert exported["detail"] == {
        "table_id": table["id"],
        "view_id": None,
        "format": "json",
        "via": "token",
        "token_id": token["id"],
        "token_name": "BI",
    }
    assert links[0]["token"] not in str(await _actions(api)) and token["key"] not in str(await _actions(api))


async def test_filters_and_pages(api: Api, client) -> None:
    other = await signed_up(client, name="Other")
    await api.post(
        f"/api/workspaces/users/workspace/{api.workspace_id}/", {"email": other.email, "permissions": "admin"}
    )
    table = await api.table("T")
    views = await api.get(f"{V}/table/{table['id']}/")
    for public in (True, False, True):
        await other.patch(f"{V}/{views[0]['id']}/", {"public": public})
    shared = await api.get(_log(api), params={"action": "view.shared"})
    assert shared["count"] == 2 and {e["user"]["id"] for e in shared["results"]} == {other.user["id"]}
    mine = await _actions(api, user_id=api.user["id"])
    assert mine and all(e["user"]["id"] == api.user["id"] for e in mine)
    first = await api.get(_log(api), params={"size": 2})
    assert len(first["results"]) == 2 and first["previous"] is None and "page=2" in first["next"]
    second = await api.get(_log(api), params={"size": 2, "page": 2})
    assert first["results"][-1]["id"] > second["results"][0]["id"] and "page=1" in second["previous"]
    assert second["count"] == first["count"]
    # A time window: nothing is in the future; everything is after 2000.
    assert (await api.get(_log(api), params={"from": "2999-01-01T00:00:00Z"}))["count"] == 0
    assert (await api.get(_log(api), params={"from": "2000-01-01", "to": "2999-01-01"}))["count"] == first["count"]
    await api.get(_log(api), params={"from": "yesterday"}, expect=400)
    await api.get(_log(api), params={"user_id": "me"}, expect=400)
    await api.get(_log(api), params={"size": 1000}, expect=400)


async def test_only_admins_and_staff_read(api: Api, client, engine) -> None:
    builder = await signed_up(client, name="Builder")
    await api.post(
        f"/api/workspaces/users/workspace/{api.workspace_id}/", {"email": builder.email, "permissions": "builder"}
    )
    refused = await client.get(_log(api), headers=builder.headers)
    assert refused.status_code == 403 and refused.json()["error"] == "ERROR_PERMISSION_DENIED"
    stranger = await signed_up(client, name="Stranger")
    assert (await client.get(_log(api), headers=stranger.headers)).status_code == 400
    assert (await client.get(_log(api))).status_code == 401
    token = await api.post("/api/database/tokens/", {"name": "t", "workspace": api.workspace_id})
    by_token = await client.get(_log(api), headers={"Authorization": f"Token {token['key']}"})
    assert by_token.status_code == 403

    # The instance's log: staff only (the instance's first account is made staff at sign-up).
    async with engine.begin() as conn:
        was_staff = (await conn.execute(select(users.c.is_staff).where(users.c.id == api.user["id"]))).scalar_one()
        await conn.execute(update(users).where(users.c.id == api.user["id"]).values(is_staff=False))
    assert (await client.get("/api/admin/audit-log/", headers=api.headers)).status_code == 403
    async with engine.begin() as conn:
        await conn.execute(update(users).where(users.c.id == api.user["id"]).values(is_staff=True))
    everything = await api.get("/api/admin/audit-log/", params={"action": "user.signed_up", "size": 200})
    assert stranger.user["id"] in {e["user"]["id"] for e in everything["results"]}
    failed = await client.post("/api/user/token-auth/", json={"email": stranger.email, "password": "wrong password"})
    assert failed.status_code == 401
    fails = await api.get("/api/admin/audit-log/", params={"action": "user.sign_in_failed"})
    assert fails["count"] >= 1 and "wrong password" not in str(fails)
    async with engine.begin() as conn:
        await conn.execute(update(users).where(users.c.id == api.user["id"]).values(is_staff=was_staff))
