"""The row count an unfiltered list reports is kept by the writes, and always equals the real count."""

from sqlalchemy import func, select

from nocodedb.db.schema import rows


async def test_count_follows_inserts_and_deletes(api, engine):
    table = await api.table("Groupes")
    created = await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": f"g{i}"} for i in range(7)]},
    )
    ids = [r["id"] for r in created["items"]]
    await api.post(f"/api/database/rows/table/{table['id']}/batch-delete/", {"items": ids[:3]}, expect=204)
    await api.delete(f"/api/database/rows/table/{table['id']}/{ids[3]}/")
    # A refused delete (one id does not exist) changes nothing, the count included.
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch-delete/", {"items": [ids[4], 999_999_999]}, expect=404
    )
    page = await api.rows(table["id"], size=2, page=1)
    async with engine.connect() as conn:
        real = (await conn.execute(select(func.count()).where(rows.c.table_id == table["id"]))).scalar_one()
    assert page["count"] == real == 3
    assert page["next"] is not None and page["previous"] is None
    last = await api.rows(table["id"], size=2, page=2)
    assert last["count"] == 3 and last["next"] is None and len(last["results"]) == 1
