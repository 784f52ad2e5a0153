"""Emptying the trash item by item or whole, and the purge of entries older than NOCODEDB_TRASH_DAYS."""

from __future__ import annotations

from sqlalchemy import text

from nocodedb.services.trash_purge import purge_expired
from tests.factories import Api
from tests.trash.helpers import entries, restore


async def _exists(engine, relation: str) -> bool:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT to_regclass(:r) IS NOT NULL"), {"r": relation})).scalar_one()


async def test_empty_one_item_then_all(api: Api, engine):
    table = await api.table("Stuff", [{"name": "Number", "type": "autonumber"}])
    number = table["by_name"]["Number"]["id"]
    created = await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "a"}, {"Name": "b"}]},
    )
    a, b = (r["id"] for r in created["items"])
    await api.delete(f"/api/database/rows/table/{table['id']}/{a}/")
    await api.delete(f"/api/database/rows/table/{table['id']}/{b}/")
    await api.delete(f"/api/database/fields/{number}/", expect=200)
    # The field's sequence outlives the trash entry's life only.
    assert await _exists(engine, f"ncdb_autonumber_{number}")
    other = await api.table("Other")
    await api.delete(f"/api/database/tables/{other['id']}/")
    assert await _exists(engine, f"rows_{other['id']}")

    row_a = next(e for e in (await entries(api))["results"] if e["trash_item_id"] == a)
    await api.delete(f"/api/trash/entry/{row_a['id']}/")
    await restore(api, "row", a, table["id"], expect=404)
    assert (await entries(api))["count"] == 3

    # Emptying one table's trash leaves the rest.
    await api.delete(f"/api/trash/workspace/{api.workspace_id}/?table_id={table['id']}")
    assert [e["trash_item_type"] for e in (await entries(api))["results"]] == ["table"]
    assert not await _exists(engine, f"ncdb_autonumber_{number}")
    await api.delete(f"/api/trash/workspace/{api.workspace_id}/")
    assert (await entries(api))["count"] == 0
    assert not await _exists(engine, f"rows_{other['id']}")
    async with engine.connect() as conn:
        left = await conn.execute(text("SELECT count(*) FROM trashed_rows WHERE id IN (:a, :b)"), {"a": a, "b": b})
        assert left.scalar_one() == 0


async def test_purge_removes_only_old_entries(api: Api, engine, app, monkeypatch):
    table = await api.table("Aging")
    created = await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "old"}, {"Name": "new"}]},
    )
    old, new = (r["id"] for r in created["items"])
    await api.delete(f"/api/database/rows/table/{table['id']}/{old}/")
    await api.delete(f"/api/database/rows/table/{table['id']}/{new}/")
    doomed = await api.table("Old table")
    await api.delete(f"/api/database/tables/{doomed['id']}/")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE trash_entries SET trashed_at = now() - interval '6 days'"
                " WHERE workspace_id = :w AND (item_id = :old OR item_type = 'table')"
            ),
            {"w": api.workspace_id, "old": old},
        )
    monkeypatch.setenv("NOCODEDB_TRASH_DAYS", "7")
    async with engine.begin() as conn:
        assert await purge_expired(conn, app.state.ctx.field_types) == 0
    monkeypatch.setenv("NOCODEDB_TRASH_DAYS", "5")
    async with engine.begin() as conn:
        assert await purge_expired(conn, app.state.ctx.field_types) >= 2
    left = (await entries(api))["results"]
    assert [(e["trash_item_type"], e["trash_item_id"]) for e in left] == [("row", new)]
    assert not await _exists(engine, f"rows_{doomed['id']}")
