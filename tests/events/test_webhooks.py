"""Webhooks: Baserow's shape, builder role, signed durable delivery with retries, switch-off after failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson
from sqlalchemy import select

from nocodedb.db.schema import webhook_deliveries
from nocodedb.events.runtime import EventsRuntime
from nocodedb.events.signing import verify
from tests.factories import signed_up


async def _webhook(api, table_id, url, **extra):
    return await api.post(f"/api/database/webhooks/table/{table_id}/", {"url": url, **extra})


async def _wait(predicate, timeout=10.0):
    for _ in range(int(timeout / 0.05)):
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_create_list_update_delete_in_baserows_shape(api, fast_webhooks, receiver):
    table = await api.table("Hooks")
    hook = await _webhook(
        api,
        table["id"],
        receiver.url(),
        name="Zapier",
        include_all_events=False,
        events=["rows.created"],
        headers={"X-Token": "abc"},
    )
    for key in (
        "id",
        "url",
        "request_method",
        "headers",
        "include_all_events",
        "events",
        "events_config",
        "use_user_field_names",
        "active",
        "calls",
        "failed_triggers",
        "secret",
    ):
        assert key in hook
    assert hook["events"] == ["rows.created"] and hook["active"] is True and hook["calls"] == []
    listed = await api.get(f"/api/database/webhooks/table/{table['id']}/")
    assert [h["id"] for h in listed] == [hook["id"]]
    patched = await api.patch(f"/api/database/webhooks/{hook['id']}/", {"active": False, "request_method": "PUT"})
    assert patched["active"] is False and patched["request_method"] == "PUT"
    await api.delete(f"/api/database/webhooks/{hook['id']}/")
    await api.get(f"/api/database/webhooks/{hook['id']}/", expect=404)


async def test_bad_input_and_roles(api, client, fast_webhooks, receiver):
    table = await api.table("Hooks")
    bad = await api.post(
        f"/api/database/webhooks/table/{table['id']}/", {"url": receiver.url(), "events": ["nope"]}, expect=400
    )
    assert bad["error"] == "ERROR_REQUEST_BODY_VALIDATION"
    refused = await api.post(
        f"/api/database/webhooks/table/{table['id']}/", {"url": "http://169.254.169.254/"}, expect=400
    )
    assert refused["error"] == "ERROR_WEBHOOK_URL_NOT_ALLOWED"
    stranger = await signed_up(client)
    answer = await stranger.get(f"/api/database/webhooks/table/{table['id']}/", expect=400)
    assert answer["error"] == "ERROR_USER_NOT_IN_GROUP"


async def test_rows_events_are_delivered_signed_with_old_items_and_row_ids(api, fast_webhooks, receiver):
    table = await api.table("Deliver", [{"name": "City", "type": "text"}])
    t = table["id"]
    hook = await _webhook(api, t, receiver.url())
    row = await api.post(
        f"/api/database/rows/table/{t}/", {"Name": "A", "City": "Lyon"}, params={"user_field_names": "1"}
    )
    await receiver.wait_for(1)
    await api.patch(
        f"/api/database/rows/table/{t}/{row['id']}/", {"City": "Grenoble"}, params={"user_field_names": "1"}
    )
    await receiver.wait_for(2)
    await api.delete(f"/api/database/rows/table/{t}/{row['id']}/")
    calls = await receiver.wait_for(3)
    bodies = [orjson.loads(c.body) for c in calls]
    assert [b["event_type"] for b in bodies] == ["rows.created", "rows.updated", "rows.deleted"]
    for call, body in zip(calls, bodies, strict=True):
        assert verify(hook["secret"], call.body, call.headers["X-Nocodedb-Signature"])
        assert body["webhook_id"] == hook["id"] and body["table_id"] == t
        assert body["database_id"] == api.database_id and body["workspace_id"] == api.workspace_id
        assert call.headers["X-Nocodedb-Event-Id"] == body["event_id"]
    assert bodies[0]["items"][0]["City"] == "Lyon"
    assert bodies[1]["items"][0]["City"] == "Grenoble" and bodies[1]["old_items"][0]["City"] == "Lyon"
    assert bodies[2]["row_ids"] == [row["id"]]
    answer = await _wait(lambda: _calls(api, hook["id"], 3))
    assert answer["calls"][0]["response_status"] == 200 and "rows.deleted" in answer["calls"][0]["request"]


async def _calls(api, hook_id, count):
    answer = await api.get(f"/api/database/webhooks/{hook_id}/")
    return answer if len(answer["calls"]) >= count else None


async def test_events_config_sends_updates_only_when_chosen_fields_change(api, fast_webhooks, receiver):
    table = await api.table("Chosen", [{"name": "City", "type": "text"}, {"name": "Notes", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    await _webhook(
        api,
        t,
        receiver.url(),
        include_all_events=False,
        events=["rows.updated"],
        events_config=[{"event_type": "rows.updated", "fields": [city]}],
        use_user_field_names=False,
    )
    row = await api.post(f"/api/database/rows/table/{t}/", {"Name": "A"}, params={"user_field_names": "1"})
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {"Notes": "x"}, params={"user_field_names": "1"})
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {"City": "Lyon"}, params={"user_field_names": "1"})
    calls = await receiver.wait_for(1)
    await asyncio.sleep(0.3)
    assert len(calls) == 1
    body = orjson.loads(calls[0].body)
    assert body["items"][0][f"field_{city}"] == "Lyon"


async def test_failures_retry_with_the_same_event_id_then_switch_the_webhook_off(api, fast_webhooks, receiver):
    receiver.status = 500
    table = await api.table("Failing")
    hook = await _webhook(api, table["id"], receiver.url())
    await api.post(f"/api/database/rows/table/{table['id']}/", {})
    calls = await receiver.wait_for(3)
    assert len({c.headers["X-Nocodedb-Event-Id"] for c in calls}) == 1  # one delivery, retried
    answer = await _wait(lambda: _switched_off(api, hook["id"]))
    assert answer["failed_triggers"] == 3 and "Switched off" in answer["last_error"]
    assert {c["response_status"] for c in answer["calls"]} == {500}
    receiver.status = 200
    back = await api.patch(f"/api/database/webhooks/{hook['id']}/", {"active": True})
    assert back["active"] and back["failed_triggers"] == 0 and back["last_error"] is None


async def _failed_once(api, hook_id):
    answer = await api.get(f"/api/database/webhooks/{hook_id}/")
    return answer if answer["calls"] and answer["failed_triggers"] >= 1 else None


async def _switched_off(api, hook_id):
    answer = await api.get(f"/api/database/webhooks/{hook_id}/")
    return answer if not answer["active"] else None


async def test_a_delivery_queued_before_a_restart_is_sent_after_it(api, app, engine, fast_webhooks, receiver):
    ctx = app.state.ctx
    table = await api.table("Durable")
    await _webhook(api, table["id"], receiver.url())
    await ctx.events.stop()  # the process "dies": nothing delivers
    try:
        await api.post(f"/api/database/rows/table/{table['id']}/", {})
        await asyncio.sleep(0.2)
        assert receiver.requests == []
        async with engine.connect() as conn:
            states = (
                (
                    await conn.execute(
                        select(webhook_deliveries.c.state).order_by(webhook_deliveries.c.id.desc()).limit(1)
                    )
                )
                .scalars()
                .all()
            )
        assert states == ["pending"]
    finally:
        ctx.events = EventsRuntime(ctx.engine, lambda: ctx.settings)  # the restart
        ctx.events.start()
    calls = await receiver.wait_for(1)
    assert orjson.loads(calls[0].body)["event_type"] == "rows.created"


async def test_delivery_reaches_a_loopback_server_only_while_allowlisted(api, fast_webhooks, receiver):
    table = await api.table("Refused")
    hook = await _webhook(api, table["id"], receiver.url())
    allowed = fast_webhooks.settings
    fast_webhooks.settings = replace(allowed, webhook_allowed_hosts="")
    try:
        await api.post(f"/api/database/rows/table/{table['id']}/", {})
        answer = await _wait(lambda: _failed_once(api, hook["id"]))
    finally:
        fast_webhooks.settings = allowed
    assert "forbidden address" in answer["calls"][0]["error"] and answer["calls"][0]["response_status"] is None
    assert answer["failed_triggers"] >= 1 and receiver.requests == []
    await _wait(lambda: receiver.wait_for(1))  # the retry, allowlisted again, goes through


async def test_test_call(api, fast_webhooks, receiver):
    table = await api.table("Try", [{"name": "City", "type": "text"}])
    answer = await api.post(f"/api/database/webhooks/table/{table['id']}/test-call/", {"url": receiver.url()})
    assert answer["status_code"] == 200 and answer["is_unreachable"] is False
    body = orjson.loads(receiver.requests[0].body)
    assert body["event_type"] == "rows.created" and "City" in body["items"][0]
    refused = await api.post(
        f"/api/database/webhooks/table/{table['id']}/test-call/", {"url": receiver.url(host="127.0.0.2")}, expect=400
    )
    assert refused["error"] == "ERROR_WEBHOOK_URL_NOT_ALLOWED"


async def test_a_rename_seen_by_many_linked_rows_is_delivered_in_chunks_with_every_row(api, fast_webhooks, receiver):
    from nocodedb.events.emit import CHUNK

    groups = await api.table("Chunked groups")
    people = await api.table("Chunked people")
    await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Group", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    group = await api.post(
        f"/api/database/rows/table/{groups['id']}/", {"Name": "Lyon"}, params={"user_field_names": "1"}
    )
    ids: list[int] = []
    for size in (200, 200, 2 * CHUNK + 50 - 400):  # more rows than two events hold
        made = await api.post(
            f"/api/database/rows/table/{people['id']}/batch/",
            {"items": [{"Name": f"p{len(ids) + i}", "Group": [group["id"]]} for i in range(size)]},
            params={"user_field_names": "true"},
        )
        ids += [r["id"] for r in made["items"]]
    await _webhook(api, people["id"], receiver.url(), include_all_events=True)
    await api.patch(
        f"/api/database/rows/table/{groups['id']}/{group['id']}/", {"Name": "Lyon 2"}, params={"user_field_names": "1"}
    )
    chunks = -(-len(ids) // CHUNK)
    await receiver.wait_for(chunks)
    await asyncio.sleep(0.3)  # and no more than that
    bodies = [orjson.loads(c.body) for c in receiver.requests]
    assert len(bodies) == chunks and all(b["event_type"] == "rows.updated" for b in bodies)
    delivered = sorted(item["id"] for b in bodies for item in b["items"])
    assert delivered == sorted(ids)
    assert all(len(b["items"]) <= CHUNK for b in bodies)
    assert all(item["Group"] == [{"id": group["id"], "value": "Lyon 2"}] for b in bodies for item in b["items"])
