"""Concurrent writers that touch the same computed values in linked tables: no deadlock reaches a user."""

from __future__ import annotations

import asyncio

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api


async def test_concurrent_writes_on_linked_rows_all_succeed_and_stay_consistent(api: Api, engine, app):
    groups = await api.table("Groupes")
    actions = await api.table("Actions", [{"name": "People", "type": "number"}])
    link = await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {
            "name": "Total",
            "type": "rollup",
            "through_field_id": link["link_row_related_field_id"],
            "target_field_id": actions["by_name"]["People"]["id"],
            "rollup_function": "sum",
        },
    )
    shared = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Paris"})
    other = await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Lille"})
    created = await api.post(
        f"/api/database/rows/table/{actions['id']}/batch/?user_field_names=true",
        {"items": [{"Name": f"a{i}", "People": 1, "Groupe": [shared["id"], other["id"]]} for i in range(12)]},
    )
    ids = [r["id"] for r in created["items"]]

    async def bump(row_id: int, value: int) -> int:
        response = await api.client.patch(
            f"/api/database/rows/table/{actions['id']}/{row_id}/?user_field_names=true",
            headers=api.headers,
            json={"People": value},
        )
        return response.status_code

    async def rename(group_id: int, name: str) -> int:
        response = await api.client.patch(
            f"/api/database/rows/table/{groups['id']}/{group_id}/?user_field_names=true",
            headers=api.headers,
            json={"Name": name},
        )
        return response.status_code

    async def batch(values: list[int]) -> int:
        response = await api.client.patch(
            f"/api/database/rows/table/{actions['id']}/batch/?user_field_names=true",
            headers=api.headers,
            json={"items": [{"id": i, "People": v} for i, v in zip(reversed(ids), values, strict=False)]},
        )
        return response.status_code

    work = [bump(row_id, n) for n, row_id in enumerate(ids)]
    work += [rename(shared["id"], f"Paris {n}") for n in range(5)]
    work += [rename(other["id"], f"Lille {n}") for n in range(5)]
    work += [batch([n] * len(ids)) for n in range(4)]
    statuses = await asyncio.gather(*work)
    assert statuses == [200] * len(work)
    await assert_consistent(engine, app, api.database_id)
