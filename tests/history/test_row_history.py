"""Row history through the real app: each kind of author named, no-op writes silent, pages, access, retention."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, text, update

from nocodedb.db.schema import row_history
from nocodedb.services.row_history import claim_purge, purge
from tests.factories import signed_up
from tests.history.conftest import Book, V


async def _row(book: Book, name: str = "Ana", amount: str = "10.00") -> int:
    made = await book.api.post(book.rows_url(), {f"field_{book.name}": name, f"field_{book.amount}": amount})
    return int(made["id"])


async def test_user_update_names_fields_from_to_and_skips_computed_and_noops(book: Book) -> None:
    row = await _row(book)
    assert (await book.history(row))["count"] == 0  # a creation by a user: rows.created_by tells it
    await book.api.patch(book.rows_url(row), {f"field_{book.amount}": "12.5"})
    page = await book.history(row)
    assert page["count"] == 1 and page["next"] is None and page["previous"] is None
    entry = page["results"][0]
    assert entry["action_type"] == "update_rows"
    assert entry["user"] == {"id": book.api.user["id"], "name": "Camille"}
    assert entry["actor"] == {"kind": "user", "name": "Camille"}
    # Only the written field, in API form; the formula changed too (20 -> 25) but is computed.
    assert entry["before"] == {f"field_{book.amount}": "10.00"}
    assert entry["after"] == {f"field_{book.amount}": "12.50"}
    assert entry["fields_metadata"] == {f"field_{book.amount}": {"id": book.amount, "type": "number"}}
    assert entry["timestamp"]
    # Writing the same values again, or nothing, leaves no entry.
    await book.api.patch(book.rows_url(row), {f"field_{book.amount}": "12.50", f"field_{book.name}": "Ana"})
    await book.api.patch(book.rows_url(row), {})
    assert (await book.history(row))["count"] == 1
    # A batch changing two rows, one of them twice the same: one entry per really changed row.
    other = await _row(book, "Bob")
    await book.api.patch(
        f"{book.rows_url()}batch/",
        {"items": [{"id": row, f"field_{book.name}": "Ana B"}, {"id": other, f"field_{book.name}": "Bob"}]},
    )
    assert (await book.history(other))["count"] == 0
    latest = (await book.history(row))["results"][0]
    assert (latest["before"], latest["after"]) == ({f"field_{book.name}": "Ana"}, {f"field_{book.name}": "Ana B"})


async def test_token_form_edit_link_and_import_are_named(book: Book, client) -> None:
    api = book.api
    token = await api.post("/api/database/tokens/", {"name": "Zapier", "workspace": api.workspace_id})
    row = await _row(book)
    answer = await client.patch(
        book.rows_url(row), json={f"field_{book.amount}": "11"}, headers={"Authorization": f"Token {token['key']}"}
    )
    assert answer.status_code == 200, answer.text
    by_token = (await book.history(row))["results"][0]
    assert by_token["actor"] == {"kind": "token", "name": "Zapier"}
    assert by_token["user"] == {"id": api.user["id"], "name": "Database token Zapier"}

    # A public form: the visitor has no account; the creation is the only trace of the form.
    sent = await client.post(
        f"{V}/form/{book.form['slug']}/submit/", json={f"field_{book.name}": "Zoé", f"field_{book.amount}": "3"}
    )
    assert sent.status_code == 200, sent.text
    created = (await book.history(sent.json()["row_id"]))["results"]
    assert len(created) == 1 and created[0]["action_type"] == "create_rows"
    assert created[0]["actor"] == {"kind": "form", "name": "Don en ligne"}
    assert created[0]["user"] == {"id": None, "name": "Public form Don en ligne"}
    assert created[0]["before"] == {}
    assert created[0]["after"] == {f"field_{book.name}": "Zoé", f"field_{book.amount}": "3.00"}

    links = await api.post(f"{V}/{book.form['id']}/edit-links/", {"row_ids": [row]})
    edited = await client.post(f"{V}/form/edit/{links[0]['token']}/", json={f"field_{book.amount}": "99"})
    assert edited.status_code == 200, edited.text
    by_link = (await book.history(row))["results"][0]
    assert by_link["actor"] == {"kind": "edit_link", "name": f"edit link {links[0]['id']}"}
    assert by_link["user"]["id"] is None
    assert (by_link["before"], by_link["after"]) == (
        {f"field_{book.amount}": "11.00"},
        {f"field_{book.amount}": "99.00"},
    )

    job = await api.post(
        f"/api/database/import/table/{book.table_id}/",
        {
            "text": "Nom,Montant\nAna,7\n",
            "format": "csv",
            "mapping": {"Nom": "Name", "Montant": "Montant"},
            "upsert_field": "Name",
        },
    )
    for _ in range(400):
        state = await api.get(f"/api/jobs/{job['id']}/")
        if state["state"] in ("finished", "failed"):
            break
        await asyncio.sleep(0.02)
    assert state["state"] == "finished" and state["result"]["rows_updated"] == 1, state
    by_import = (await book.history(row))["results"][0]
    assert by_import["actor"] == {"kind": "import", "name": "Camille"}
    assert by_import["user"] == {"id": api.user["id"], "name": "Camille (import)"}
    assert by_import["after"] == {f"field_{book.amount}": "7.00"}
    assert (await book.history(row))["count"] == 3


async def test_pages_newest_first(book: Book) -> None:
    row = await _row(book)
    for amount in range(1, 6):
        await book.api.patch(book.rows_url(row), {f"field_{book.amount}": str(amount)})
    first = await book.history(row, limit=2)
    assert first["count"] == 5 and first["previous"] is None
    assert [e["after"][f"field_{book.amount}"] for e in first["results"]] == ["5.00", "4.00"]
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    last = await book.history(row, limit=2, offset=4)
    assert [e["after"][f"field_{book.amount}"] for e in last["results"]] == ["1.00"]
    assert last["next"] is None and "offset=2" in last["previous"]
    ids = [e["id"] for e in (await book.history(row))["results"]]
    assert ids == sorted(ids, reverse=True)
    await book.api.get(book.history_url(row), params={"limit": 0}, expect=400)
    await book.api.get(book.history_url(row), params={"limit": "x"}, expect=400)
    await book.api.get(book.history_url(row), params={"offset": -1}, expect=400)


async def test_who_may_read(book: Book, client) -> None:
    row = await _row(book)
    await book.api.patch(book.rows_url(row), {f"field_{book.amount}": "1"})
    viewer = await signed_up(client, name="Viewer")
    await book.api.post(
        f"/api/workspaces/users/workspace/{book.api.workspace_id}/", {"email": viewer.email, "permissions": "viewer"}
    )
    assert (await book.history(row, api=viewer))["count"] == 1
    stranger = await signed_up(client, name="Stranger")
    refused = await client.get(book.history_url(row), headers=stranger.headers)
    assert refused.status_code in (400, 403, 404) and "Ana" not in refused.text
    assert refused.json()["error"] == "ERROR_USER_NOT_IN_GROUP"
    token = await book.api.post("/api/database/tokens/", {"name": "t", "workspace": book.api.workspace_id})
    by_token = await client.get(book.history_url(row), headers={"Authorization": f"Token {token['key']}"})
    assert by_token.status_code == 403
    # A row id of another table, or none at all: 404 whatever the history holds.
    other = await book.api.table("Autre")
    await book.api.get(f"/api/database/rows/table/{other['id']}/{row}/history/", expect=404)
    await book.api.get(book.history_url(row + 10_000), expect=404)
    assert (await client.get(book.history_url(row))).status_code == 401


async def test_retention_purge(book: Book, engine) -> None:
    row = await _row(book)
    for amount in ("1", "2", "3"):
        await book.api.patch(book.rows_url(row), {f"field_{book.amount}": amount})
    ids = [e["id"] for e in (await book.history(row))["results"]]
    async with engine.begin() as conn:
        # Age the two oldest entries past a 180-day retention, one just inside it.
        await conn.execute(
            update(row_history)
            .where(row_history.c.id.in_(ids[1:]))
            .values(created_at=func.now() - text("interval '181 days'"))
        )
        await conn.execute(
            update(row_history)
            .where(row_history.c.id == ids[0])
            .values(created_at=func.now() - text("interval '179 days'"))
        )
        removed = await purge(conn, 180)
        assert removed >= 2
        left = set((await conn.execute(select(row_history.c.id).where(row_history.c.row_id == row))).scalars())
    assert left == {ids[0]}


async def test_purge_runs_at_most_hourly_across_processes(engine) -> None:
    async with engine.begin() as conn:
        await claim_purge(conn)  # the app's own purger may have claimed this hour already
        assert not await claim_purge(conn)
        await conn.execute(
            text(
                "UPDATE instance_settings SET value = to_jsonb((now() - interval '2 hours')::text)"
                " WHERE key = 'row_history_purged_at'"
            )
        )
        assert await claim_purge(conn)
        assert not await claim_purge(conn)


async def _entries(engine: Any, row: int) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).where(row_history.c.row_id == row))).scalar_one())


async def test_refused_write_leaves_no_entry(book: Book, engine) -> None:
    row = await _row(book)
    await book.api.patch(book.rows_url(row), {f"field_{book.amount}": "not a number"}, expect=400)
    await book.api.patch(
        f"{book.rows_url()}batch/",
        {"items": [{"id": row, f"field_{book.amount}": "5"}, {"id": row + 10_000, f"field_{book.amount}": "6"}]},
        expect=404,
    )
    assert await _entries(engine, row) == 0
