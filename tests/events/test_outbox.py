"""Change events in the outbox: written with the change, ids only, none for no-op updates, and rows
recomputed in other tables reported as rows.updated of those tables; one NOTIFY per transaction."""

from __future__ import annotations

import asyncio

import asyncpg

from nocodedb.events.listener import asyncpg_dsn
from tests.events.conftest import events_after, last_event_id


async def test_row_events_carry_ids_and_changed_fields(api, engine):
    table = await api.table("Groups", [{"name": "City", "type": "text"}])
    t, city = table["id"], table["by_name"]["City"]["id"]
    start = await last_event_id(engine)
    created = await api.post(
        f"/api/database/rows/table/{t}/batch/",
        {"items": [{"Name": "A"}, {"Name": "B"}]},
        params={"user_field_names": "true"},
    )
    ids = [r["id"] for r in created["items"]]
    await api.patch(f"/api/database/rows/table/{t}/{ids[0]}/", {f"field_{city}": "Lyon"})
    await api.delete(f"/api/database/rows/table/{t}/{ids[1]}/")
    found = await events_after(engine, start, t)
    assert [(e.event_type, e.payload.get("row_ids")) for e in found] == [
        ("rows.created", ids),
        ("rows.updated", [ids[0]]),
        ("rows.deleted", [ids[1]]),
    ]
    assert found[1].payload["field_ids"] == [city]
    assert found[0].actor_user_id == api.user["id"]
    assert "Lyon" not in str([e.payload for e in found])  # ids only, never values


async def test_an_update_that_changes_nothing_emits_nothing(api, engine):
    table = await api.table("Quiet", [{"name": "City", "type": "text"}])
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/", {"City": "Lyon"}, params={"user_field_names": "1"})
    start = await last_event_id(engine)
    await api.patch(f"/api/database/rows/table/{t}/{row['id']}/", {"City": "Lyon"}, params={"user_field_names": "1"})
    assert await events_after(engine, start, t) == []


async def test_a_refused_write_leaves_no_event(api, engine):
    table = await api.table("Strict", [{"name": "Count", "type": "number"}])
    start = await last_event_id(engine)
    await api.post(
        f"/api/database/rows/table/{table['id']}/",
        {"Count": "not a number"},
        params={"user_field_names": "1"},
        expect=400,
    )
    assert await events_after(engine, start) == []


async def test_recomputed_rows_in_other_tables_become_their_rows_updated(api, engine):
    groups = await api.table("Groups", [{"name": "Members", "type": "number"}])
    people = await api.table("People")
    link = await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Group", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    lookup = await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {
            "name": "Group size",
            "type": "lookup",
            "through_field_id": link["id"],
            "target_field_id": groups["by_name"]["Members"]["id"],
        },
    )
    group = await api.post(
        f"/api/database/rows/table/{groups['id']}/",
        {"Name": "Grenoble", "Members": "3"},
        params={"user_field_names": "1"},
    )
    person = await api.post(
        f"/api/database/rows/table/{people['id']}/",
        {"Name": "Camille", "Group": [group["id"]]},
        params={"user_field_names": "1"},
    )
    start = await last_event_id(engine)
    await api.patch(
        f"/api/database/rows/table/{groups['id']}/{group['id']}/", {"Members": "4"}, params={"user_field_names": "1"}
    )
    found = await events_after(engine, start)
    by_table = {(e.table_id, e.event_type): e.payload for e in found}
    assert by_table[(groups["id"], "rows.updated")]["row_ids"] == [group["id"]]
    recomputed = by_table[(people["id"], "rows.updated")]
    assert recomputed["row_ids"] == [person["id"]]
    assert recomputed["field_ids"] == [lookup["id"]]
    assert recomputed["recomputed"] is True
    assert "fields_by_row" not in recomputed  # every row changed the same fields: field_ids says it
    assert len({e.txid for e in found}) == 1  # one transaction


async def test_recomputed_rows_that_changed_different_fields_say_which(api, engine):
    groups = await api.table("Teams", [{"name": "Members", "type": "number"}])
    people = await api.table("Players")
    link = await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Team", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    size = await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {
            "name": "Team size",
            "type": "lookup",
            "through_field_id": link["id"],
            "target_field_id": groups["by_name"]["Members"]["id"],
        },
    )
    big = await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Big", "type": "formula", "formula": "IF(SUM({Team size}) > 3, 'big', 'small')"},
    )
    made = await api.post(
        f"/api/database/rows/table/{groups['id']}/batch/",
        {"items": [{"Name": "A", "Members": "3"}, {"Name": "B", "Members": "5"}]},
        params={"user_field_names": "true"},
    )
    a, b = (r["id"] for r in made["items"])
    players = await api.post(
        f"/api/database/rows/table/{people['id']}/batch/",
        {"items": [{"Name": "in A", "Team": [a]}, {"Name": "in B", "Team": [b]}]},
        params={"user_field_names": "true"},
    )
    in_a, in_b = (r["id"] for r in players["items"])
    start = await last_event_id(engine)
    await api.patch(
        f"/api/database/rows/table/{groups['id']}/batch/",
        {"items": [{"id": a, "Members": "4"}, {"id": b, "Members": "6"}]},
        params={"user_field_names": "true"},
    )
    found = await events_after(engine, start, people["id"])
    assert len(found) == 1
    payload = found[0].payload
    assert payload["row_ids"] == sorted([in_a, in_b])
    assert payload["field_ids"] == sorted([size["id"], big["id"]])
    # "in A" went from small to big; "in B" stayed big: only its size changed.
    assert payload["fields_by_row"] == {str(in_a): sorted([size["id"], big["id"]]), str(in_b): [size["id"]]}


async def test_field_events(api, engine):
    table = await api.table("Fields")
    start = await last_event_id(engine)
    f = await api.post(f"/api/database/fields/table/{table['id']}/", {"name": "Notes", "type": "long_text"})
    await api.patch(f"/api/database/fields/{f['id']}/", {"name": "Remarks"})
    await api.delete(f"/api/database/fields/{f['id']}/", expect=200)
    found = await events_after(engine, start, table["id"])
    assert [(e.event_type, e.payload["field_id"]) for e in found] == [
        ("field.created", f["id"]),
        ("field.updated", f["id"]),
        ("field.deleted", f["id"]),
    ]


async def test_one_notify_per_transaction_naming_its_first_event(api, engine):
    groups = await api.table("Groups")
    people = await api.table("People")
    await api.post(
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Group", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    group = await api.post(
        f"/api/database/rows/table/{groups['id']}/", {"Name": "Lyon"}, params={"user_field_names": "1"}
    )
    received: list[str] = []
    conn = await asyncpg.connect(asyncpg_dsn(engine.url))
    try:
        await conn.add_listener("ncdb_events", lambda *args: received.append(args[3]))
        start = await last_event_id(engine)
        # Creates people rows AND changes the groups' reverse link cells: two events, one transaction.
        await api.post(
            f"/api/database/rows/table/{people['id']}/batch/",
            {"items": [{"Name": "A", "Group": [group["id"]]}, {"Name": "B", "Group": [group["id"]]}]},
            params={"user_field_names": "1"},
        )
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    finally:
        await conn.close()
    found = await events_after(engine, start)
    assert {e.table_id for e in found} == {people["id"], groups["id"]}
    assert received == [str(found[0].id)]


async def test_many_events_in_one_insert_keep_their_order_and_one_cached_statement(engine):
    """write_events: ids follow the list's order; the statement is the same whatever the number of events,
    so SQLAlchemy compiles it once (a multi-row VALUES was compiled on every write)."""
    from sqlalchemy import event, text

    from nocodedb.events.outbox import Event, write_events

    hits: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "INSERT INTO outbox" in statement:
            hits.append(str(context.cache_hit))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        for count in (3, 1, 5):
            async with engine.begin() as conn:
                made = [Event("rows.updated", None, None, {"n": n, "row_ids": [n]}) for n in range(count)]
                ids = await write_events(conn, None, made)
                assert ids == sorted(ids) and len(ids) == count
                stored = await conn.execute(
                    text("SELECT payload FROM outbox WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
                )
                assert [p["n"] for (p,) in stored] == list(range(count))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
    assert len(hits) == 3 and all("NO_CACHE_KEY" not in h for h in hits)
    assert "CACHE_HIT" in hits[-1]
