"""A shared view's visitor on /ws/: its visible fields only, the rows its filters let through, its own
view's changes (after which what it may see is read again), and a password-protected view's token."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.events import test_live
from tests.events.test_live import receive

V = "/api/database/views"
SECRET = "Zorglub-7731"
live_url = test_live.live_url  # the fixture: a real uvicorn serving /ws/


async def _shared(api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A table (City, Secret), its view shared with Secret hidden and the filter City contains Lyon."""
    table = await api.table("Shared", [{"name": "City", "type": "text"}, {"name": "Secret", "type": "text"}])
    city, secret = table["by_name"]["City"]["id"], table["by_name"]["Secret"]["id"]
    view = await api.post(f"{V}/table/{table['id']}/", {"name": "Lyon only", "type": "grid"})
    view = await api.patch(f"{V}/{view['id']}/", {"public": True})
    await api.patch(f"{V}/{view['id']}/field-options/", {"field_options": {str(secret): {"hidden": True}}})
    await api.post(f"{V}/{view['id']}/filters/", {"field": city, "type": "contains", "value": "Lyon"})
    return table, view


async def _visitor(url: str, slug: str, token: str | None = None) -> ClientConnection:
    ws = await connect(url)
    await ws.send(orjson.dumps({"type": "auth", "public_view": slug, "view_token": token}).decode())
    return ws


async def _all(ws: ClientConnection, wait: float = 0.5) -> list[dict[str, Any]]:
    """Every message until the socket stays quiet (presence and the like included)."""
    found = []
    try:
        while True:
            found.append(orjson.loads(await asyncio.wait_for(ws.recv(), wait)))
    except TimeoutError:
        return found


async def test_a_visitor_hears_of_the_views_rows_only_and_never_of_hidden_values(api, client, live_url):
    table, view = await _shared(api)
    t, city, secret = table["id"], table["by_name"]["City"]["id"], table["by_name"]["Secret"]["id"]
    name = table["by_name"]["Name"]["id"]
    rows_url = f"/api/database/rows/table/{t}/"
    inside = await api.post(rows_url, {f"field_{city}": "Lyon"})
    outside = await api.post(rows_url, {f"field_{city}": "Paris"})
    async with await _visitor(live_url, view["slug"]) as ws:
        assert (await receive(ws, "subscribed"))["table_id"] == t
        await api.patch(f"{rows_url}{inside['id']}/", {f"field_{city}": "Lyon", f"field_{name}": "in view"})
        updated = await receive(ws, "rows.updated")
        assert updated["row_ids"] == [inside["id"]]
        # A change of a row outside the view, and a new row outside it: no id of them as rows of the view.
        await api.patch(f"{rows_url}{outside['id']}/", {f"field_{name}": "elsewhere", f"field_{secret}": SECRET})
        await api.post(rows_url, {f"field_{city}": "Marseille", f"field_{secret}": SECRET})
        # A row that leaves the view is announced as gone, without its values.
        await api.patch(f"{rows_url}{inside['id']}/", {f"field_{city}": "Paris", f"field_{secret}": SECRET})
        # A row that enters the view is announced as updated (the page fetches it).
        await api.patch(f"{rows_url}{outside['id']}/", {f"field_{city}": "Lyon"})
        # Hidden fields only: nothing at all.
        await api.patch(f"{rows_url}{outside['id']}/", {f"field_{secret}": SECRET + "!"})
        messages = await _all(ws)
    rows_events = [(m["type"], m["row_ids"]) for m in messages if m["type"].startswith("rows.")]
    assert rows_events == [
        ("rows.deleted", [outside["id"]]),
        ("rows.deleted", [inside["id"]]),
        ("rows.updated", [outside["id"]]),
    ]
    left = [m for m in messages if m["type"] == "rows.deleted"]
    assert all(m["left_view"] is True for m in left)
    text = str(messages)
    assert SECRET not in text and "Paris" not in text and "Marseille" not in text
    assert all(secret not in m.get("field_ids", []) for m in messages)
    # What the page then fetches: the public rows endpoint shows the view's rows and visible fields only.
    answer = (await client.get(f"{V}/grid/{view['slug']}/public/rows/")).json()
    assert [r["id"] for r in answer["results"]] == [outside["id"]]
    assert all(f"field_{secret}" not in r for r in answer["results"]) and SECRET not in str(answer)


async def test_the_visitors_own_view_changes_reach_it_and_change_what_it_sees(api, live_url):
    table, view = await _shared(api)
    t, city, name = table["id"], table["by_name"]["City"]["id"], table["by_name"]["Name"]["id"]
    row = await api.post(f"/api/database/rows/table/{t}/", {f"field_{city}": "Lyon"})
    other = await api.post(f"{V}/table/{t}/", {"name": "Internal plans", "type": "grid"})
    async with await _visitor(live_url, view["slug"]) as ws:
        await receive(ws, "subscribed")
        await api.patch(f"{V}/{other['id']}/", {"name": "Still internal"})  # another view: never told
        await api.patch(f"{V}/{view['id']}/field-options/", {"field_options": {str(city): {"hidden": True}}})
        changed = await receive(ws, "view.updated")
        assert changed["view_id"] == view["id"] and changed["changed"] == ["field_options"]
        assert "user_id" not in changed  # visitors never learn who
        # City is hidden now: a change of City alone is not sent any more.
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {f"field_{city}": "Lyon 2"})
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {f"field_{name}": "seen"})
        seen = await receive(ws, "rows.updated")
        assert seen["row_ids"] == [row["id"]] and seen["field_ids"] == [name]
        messages = await _all(ws, 0.3)
        assert "Internal" not in str(messages) and other["id"] not in [m.get("view_id") for m in messages]
        # Unshared: the visitor is told and the socket closes at once (not at the next periodic check).
        await api.patch(f"{V}/{view['id']}/", {"public": False})
        assert (await receive(ws, "error"))["error"] == "ERROR_VIEW_DOES_NOT_EXIST"
        try:
            await asyncio.wait_for(ws.recv(), 5)
            raise AssertionError("the socket stayed open")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4401


async def test_a_password_protected_view_needs_its_token(api, client, live_url):
    _table, view = await _shared(api)
    await api.patch(f"{V}/{view['id']}/", {"public_view_password": "longenough"})
    async with await _visitor(live_url, view["slug"]) as ws:
        assert (await receive(ws, "error"))["error"] == "ERROR_NO_AUTHORIZATION_TO_PUBLICLY_SHARED_VIEW"
    async with await _visitor(live_url, view["slug"], api.token) as ws:  # a user token is not a view token
        assert (await receive(ws, "error"))["error"] == "ERROR_NO_AUTHORIZATION_TO_PUBLICLY_SHARED_VIEW"
    answer = await client.post(f"{V}/{view['slug']}/public/auth/", json={"password": "longenough"})
    async with await _visitor(live_url, view["slug"], answer.json()["access_token"]) as ws:
        assert (await receive(ws, "subscribed"))["table_id"] == view["table_id"]
