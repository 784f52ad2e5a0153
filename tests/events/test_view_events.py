"""View events: view.created / view.updated (with what changed) / view.deleted in the outbox, to
webhooks in Baserow's shape, and to live subscribers (a shared view's visitor: its own view only)."""

from __future__ import annotations

import asyncio

import orjson

from tests.events import test_live
from tests.events.conftest import events_after, last_event_id
from tests.events.test_live import nothing_more, receive, subscribed
from tests.trash.helpers import restore

V = "/api/database/views"
live_url = test_live.live_url  # the fixture: a real uvicorn serving /ws/


async def test_every_view_write_emits_one_event_naming_what_changed(api, engine):
    table = await api.table("Views", [{"name": "City", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    start = await last_event_id(engine)
    view = await api.post(f"{V}/table/{t}/", {"name": "Mine", "type": "grid"})
    v = view["id"]
    await api.patch(f"{V}/{v}/", {"name": "Renamed"})
    await api.patch(f"{V}/{v}/", {"name": "Renamed"})  # unchanged values still write: one event, same parts
    flt = await api.post(f"{V}/{v}/filters/", {"field": city, "type": "equal", "value": "Lyon"})
    await api.patch(f"{V}/filter/{flt['id']}/", {"value": "Paris"})
    await api.delete(f"{V}/filter/{flt['id']}/")
    await api.post(f"{V}/{v}/sortings/", {"field": city, "order": "DESC"})
    await api.post(f"{V}/{v}/group_bys/", {"field": city})
    await api.patch(f"{V}/{v}/field-options/", {"field_options": {str(city): {"hidden": True}}})
    await api.patch(f"{V}/{v}/", {"filter_type": "OR"})
    copy = await api.post(f"{V}/{v}/duplicate/", {})
    first = (await api.get(f"{V}/table/{t}/"))[0]["id"]
    await api.post(f"{V}/table/{t}/order/", {"view_ids": [v, copy["id"], first]}, expect=204)
    await api.delete(f"{V}/{copy['id']}/")
    found = [(e.event_type, e.payload) for e in await events_after(engine, start, t)]
    assert found[:10] == [
        ("view.created", {"view_id": v}),
        ("view.updated", {"view_id": v, "changed": ["name"]}),
        ("view.updated", {"view_id": v, "changed": ["name"]}),
        ("view.updated", {"view_id": v, "changed": ["filters"]}),
        ("view.updated", {"view_id": v, "changed": ["filters"]}),
        ("view.updated", {"view_id": v, "changed": ["filters"]}),
        ("view.updated", {"view_id": v, "changed": ["sorts"]}),
        ("view.updated", {"view_id": v, "changed": ["group_bys"]}),
        ("view.updated", {"view_id": v, "changed": ["field_options"]}),
        ("view.updated", {"view_id": v, "changed": ["filters"]}),
    ]
    assert found[10] == ("view.created", {"view_id": copy["id"]})
    # Reordering tells only about views whose place changed; each says "order".
    moved = found[11:-1]
    assert moved and all(kind == "view.updated" and p["changed"] == ["order"] for kind, p in moved)
    assert {p["view_id"] for _, p in moved} <= {v, copy["id"], first}
    assert found[-1] == ("view.deleted", {"view_id": copy["id"]})
    assert "Lyon" not in str(found) and "Renamed" not in str(found)  # ids and part names only


async def test_a_refused_view_write_emits_nothing(api, engine):
    table = await api.table("Refused")
    view = await api.post(f"{V}/table/{table['id']}/", {"name": "V", "type": "grid"})
    start = await last_event_id(engine)
    await api.patch(f"{V}/{view['id']}/", {"filter_type": "XOR"}, expect=400)
    await api.post(f"{V}/{view['id']}/filters/", {"field": 10**12, "type": "equal"}, expect=400)
    await api.patch(f"{V}/{view['id']}/field-options/", {"field_options": {"999999999": {"hidden": True}}}, expect=400)
    assert await events_after(engine, start, table["id"]) == []


async def test_view_events_reach_webhooks_in_baserows_shape(api, fast_webhooks, receiver):
    table = await api.table("Hooked", [{"name": "City", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    await api.post(
        f"/api/database/webhooks/table/{t}/",
        {
            "url": receiver.url(),
            "include_all_events": False,
            "events": ["view.created", "view.updated", "view.deleted"],
        },
    )
    view = await api.post(f"{V}/table/{t}/", {"name": "Hooked view", "type": "grid"})
    await receiver.wait_for(1)
    await api.post(f"{V}/{view['id']}/filters/", {"field": city, "type": "equal", "value": "Lyon"})
    await receiver.wait_for(2)
    await api.delete(f"{V}/{view['id']}/")
    calls = await receiver.wait_for(3)
    bodies = [orjson.loads(c.body) for c in calls]
    assert [b["event_type"] for b in bodies] == ["view.created", "view.updated", "view.deleted"]
    for body in bodies:
        assert body["table_id"] == t and body["database_id"] == api.database_id
        assert body["workspace_id"] == api.workspace_id and body["event_id"]
    assert bodies[0]["view"]["id"] == view["id"] and bodies[0]["view"]["name"] == "Hooked view"
    assert bodies[0]["view"]["type"] == "grid" and bodies[0]["view"]["table_id"] == t
    assert bodies[1]["view"]["id"] == view["id"]
    assert bodies[2] == {**{k: bodies[2][k] for k in bodies[2] if k != "view_id"}, "view_id": view["id"]}
    assert "view" not in bodies[2]
    # A row event is not sent to a webhook that chose view events only.
    await api.post(f"/api/database/rows/table/{t}/", {})
    await nothing_for(receiver, 3)


async def nothing_for(receiver, count: int) -> None:
    await asyncio.sleep(0.4)
    assert len(receiver.requests) == count


async def test_live_subscribers_learn_who_changed_which_part(api, live_url):
    table = await api.table("Watched", [{"name": "City", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    view = await api.post(f"{V}/table/{t}/", {"name": "Watched view", "type": "grid"})
    async with await subscribed(live_url, api.token, t, client_id="tab-1") as ws:
        await api.post(f"{V}/{view['id']}/sortings/", {"field": city}, headers={"X-Client-Id": "tab-2"})
        message = await receive(ws, "view.updated")
        assert message["view_id"] == view["id"] and message["changed"] == ["sorts"]
        assert message["table_id"] == t and message["user_id"] == api.user["id"]
        # The tab that made the change is not told again.
        await api.patch(f"{V}/{view['id']}/", {"name": "Mine"}, headers={"X-Client-Id": "tab-1"})
        await nothing_more(ws, "view.updated")
        created = await api.post(f"{V}/table/{t}/", {"name": "New", "type": "gallery"})
        assert (await receive(ws, "view.created"))["view_id"] == created["id"]
        await api.delete(f"{V}/{created['id']}/")
        assert (await receive(ws, "view.deleted"))["view_id"] == created["id"]


async def test_a_view_restored_from_the_trash_is_announced_again(api, engine):
    table = await api.table("Restored")
    view = await api.post(f"{V}/table/{table['id']}/", {"name": "Back", "type": "grid"})
    await api.delete(f"{V}/{view['id']}/")
    start = await last_event_id(engine)
    await restore(api, "view", view["id"], table["id"])
    found = [(e.event_type, e.payload) for e in await events_after(engine, start, table["id"])]
    assert found == [("view.created", {"view_id": view["id"]})]
