"""Live updates over /ws/ on a real uvicorn in the test's event loop: subscribe, no echo, public views, presence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.factories import signed_up


@pytest.fixture
async def live_url(app) -> AsyncIterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", ws="websockets-sansio", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    await asyncio.wait_for(app.state.ctx.events.listener.ready.wait(), 5)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"ws://127.0.0.1:{port}/ws/"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def receive(ws: ClientConnection, kind: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """The next message (of this type, skipping presence and others)."""
    while True:
        message = orjson.loads(await asyncio.wait_for(ws.recv(), timeout))
        if kind is None or message["type"] == kind:
            return message


async def nothing_more(ws: ClientConnection, kind: str, wait: float = 0.4) -> None:
    try:
        while True:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), wait))
            assert message["type"] != kind, message
    except TimeoutError:
        return


async def subscribed(url: str, token: str, table_id: int, client_id: str | None = None) -> ClientConnection:
    query = f"?jwt={token}" + (f"&client_id={client_id}" if client_id else "")
    ws = await connect(url + query)
    await receive(ws, "authenticated")
    await ws.send(orjson.dumps({"type": "subscribe", "table_id": table_id}).decode())
    assert (await receive(ws, "subscribed"))["table_id"] == table_id
    return ws


async def test_a_subscriber_learns_which_rows_and_fields_changed(api, live_url):
    table = await api.table("Live", [{"name": "City", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    row = await api.post(f"/api/database/rows/table/{t}/", {})
    async with await subscribed(live_url, api.token, t) as ws:
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {f"field_{city}": "Lyon"})
        message = await receive(ws, "rows.updated")
        assert message["table_id"] == t and message["row_ids"] == [row["id"]] and message["field_ids"] == [city]
        assert "Lyon" not in str(message)
        created = await api.post(f"/api/database/rows/table/{t}/", {})
        assert (await receive(ws, "rows.created"))["row_ids"] == [created["id"]]


async def test_the_author_gets_no_echo_of_its_own_writes(api, live_url):
    table = await api.table("Echo")
    t = table["id"]
    async with await subscribed(live_url, api.token, t, client_id="tab-1") as ws:
        mine = await api.post(f"/api/database/rows/table/{t}/", {}, headers={"X-Client-Id": "tab-1"})
        other = await api.post(f"/api/database/rows/table/{t}/", {}, headers={"X-Client-Id": "tab-2"})
        message = await receive(ws, "rows.created")
        assert message["row_ids"] == [other["id"]] != [mine["id"]]


async def test_a_bad_token_is_refused(live_url):
    async with connect(live_url + "?jwt=not-a-token") as ws:
        assert (await receive(ws))["error"] == "ERROR_INVALID_ACCESS_TOKEN"
        with pytest.raises(ConnectionClosed):
            await receive(ws)


async def test_auth_by_first_message_and_a_strangers_table_is_refused(api, client, live_url):
    stranger = await signed_up(client)
    table = await api.table("Private")
    async with connect(live_url) as ws:
        await ws.send(orjson.dumps({"type": "auth", "jwt": stranger.token}).decode())
        await receive(ws, "authenticated")
        await ws.send(orjson.dumps({"type": "subscribe", "table_id": table["id"]}).decode())
        answer = await receive(ws, "error")
        assert answer["error"] == "ERROR_USER_NOT_IN_GROUP"
        await api.post(f"/api/database/rows/table/{table['id']}/", {})
        await nothing_more(ws, "rows.created")


async def test_a_public_view_sees_its_visible_fields_only(api, live_url):
    table = await api.table("Shared", [{"name": "City", "type": "text"}, {"name": "Secret", "type": "text"}])
    t, city, secret = table["id"], table["by_name"]["City"]["id"], table["by_name"]["Secret"]["id"]
    view = await api.post(f"/api/database/views/table/{t}/", {"name": "Public", "type": "grid"})
    view = await api.patch(f"/api/database/views/{view['id']}/", {"public": True})
    await api.patch(
        f"/api/database/views/{view['id']}/field-options/", {"field_options": {str(secret): {"hidden": True}}}
    )
    row = await api.post(f"/api/database/rows/table/{t}/", {})
    other = await api.table("Other")
    async with connect(live_url) as ws:
        await ws.send(orjson.dumps({"type": "auth", "public_view": view["slug"]}).decode())
        assert (await receive(ws, "subscribed"))["table_id"] == t
        await ws.send(orjson.dumps({"type": "subscribe", "table_id": other["id"]}).decode())
        assert (await receive(ws, "error"))["error"] == "ERROR_TABLE_DOES_NOT_EXIST"
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {f"field_{secret}": "hidden"})
        await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {f"field_{secret}": "x", f"field_{city}": "Lyon"})
        message = await receive(ws, "rows.updated")
        assert message["field_ids"] == [city]  # the hidden field's id is never sent
        await nothing_more(ws, "rows.updated")


async def test_presence_lists_who_is_looking(api, client, live_url):
    table = await api.table("Together")
    t = table["id"]
    async with await subscribed(live_url, api.token, t) as first:
        async with await subscribed(live_url, api.token, t) as second:
            presence = await receive(second, "presence")
            assert [(u["user_id"], u["connections"]) for u in presence["users"]] == [(api.user["id"], 2)]
            answer = await api.get(f"/api/database/live/presence/table/{t}/")
            assert answer["users"][0]["connections"] == 2
        await asyncio.sleep(0.05)
        left = await receive(first, "presence")
        while left["users"] and left["users"][0]["connections"] != 1:
            left = await receive(first, "presence")
        assert left["users"][0]["connections"] == 1


async def test_the_listener_reconnects_and_tells_sockets_to_resync(api, engine, live_url):
    from sqlalchemy import text

    table = await api.table("Resync")
    t = table["id"]
    async with await subscribed(live_url, api.token, t) as ws:
        async with engine.begin() as conn:
            killed = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = 'nocodedb-events-listener'"
                )
            )
            assert killed.all()
        await receive(ws, "resync", timeout=10)
        created = await api.post(f"/api/database/rows/table/{t}/", {})
        assert (await receive(ws, "rows.created"))["row_ids"] == [created["id"]]


def short_token(app, user_id: int, seconds: float) -> str:
    import datetime as dt

    import jwt as pyjwt

    now = dt.datetime.now(dt.UTC)
    claims = {"user_id": user_id, "type": "access", "iat": now, "exp": now + dt.timedelta(seconds=seconds)}
    return pyjwt.encode(claims, app.state.ctx.secret, algorithm="HS256")


async def test_an_expired_token_ends_the_session_and_a_fresh_one_extends_it(app, api, live_url):
    table = await api.table("Expiring")
    async with await subscribed(live_url, short_token(app, api.user["id"], 2), table["id"]) as ws:
        answer = await receive(ws, "error", timeout=10)
        assert answer["error"] == "ERROR_INVALID_ACCESS_TOKEN"
        with pytest.raises(ConnectionClosed):
            await receive(ws)
    async with await subscribed(live_url, short_token(app, api.user["id"], 2), table["id"]) as ws:
        await ws.send(orjson.dumps({"type": "auth", "jwt": api.token}).decode())
        await receive(ws, "authenticated")
        await asyncio.sleep(2.5)
        created = await api.post(f"/api/database/rows/table/{table['id']}/", {})
        assert (await receive(ws, "rows.created"))["row_ids"] == [created["id"]]


async def test_a_member_removed_from_the_workspace_stops_receiving(api, client, engine, live_url, monkeypatch):
    from sqlalchemy import delete

    from nocodedb.api import live
    from nocodedb.db.schema import memberships

    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.2)
    table = await api.table("Membership")
    async with await subscribed(live_url, api.token, table["id"]) as ws:
        async with engine.begin() as conn:
            await conn.execute(delete(memberships).where(memberships.c.user_id == api.user["id"]))
        answer = await receive(ws, "error", timeout=5)
        assert answer["table_id"] == table["id"] and answer["error"] == "ERROR_USER_NOT_IN_GROUP"
