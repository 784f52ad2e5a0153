"""The grouped form of link cells and lookups (nocodedb/computed/grouped.py) gives exactly the values of the
correlated form (nocodedb/computed/sql.py), whatever the links: several per row, ordered, reverse, none."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ARRAY, BigInteger, bindparam, func, select

from nocodedb.computed import grouped
from nocodedb.computed.engine import all_row_ids, load_graph
from nocodedb.computed.sql import BUILDERS
from nocodedb.db.schema import rows
from tests.computed.test_consistency import apply, build, operation
from tests.factories import Api, signed_up


async def values_both_ways(engine: Any, app: Any, database_id: int) -> list[tuple[str, dict[int, Any], dict[int, Any]]]:
    ctx = app.state.ctx
    compared = []
    async with engine.connect() as conn:
        graph = await load_graph(conn, database_id)
        for f in graph.fields_by_id.values():
            if not grouped.applies(f, graph.fields_by_id):
                continue
            ids = await all_row_ids(conn, f.table_id)
            outer = rows.alias("r")
            value = BUILDERS[f.type](
                f, outer, fields_by_id=graph.fields_by_id, field_types=ctx.field_types, filter_types=ctx.filter_types
            )
            correlated = select(outer.c.id, value).where(
                outer.c.table_id == f.table_id, outer.c.id == func.any(bindparam("ids", ids, ARRAY(BigInteger)))
            )
            by_links = grouped.grouped_values(f, ids, graph.fields_by_id, ctx.field_types)
            # None: the whole-table form a new field or new options use.
            whole = grouped.grouped_values(f, None, graph.fields_by_id, ctx.field_types)
            old = {r[0]: r[1] for r in (await conn.execute(correlated)).all()}
            new = {r[0]: r[1] for r in (await conn.execute(select(by_links.c.id, by_links.c.value))).all()}
            everywhere = {r[0]: r[1] for r in (await conn.execute(select(whole.c.id, whole.c.value))).all()}
            compared.append((f"{f.type} {f.name}", old, new))
            compared.append((f"{f.type} {f.name} (whole table)", old, everywhere))
    return compared


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(operation, min_size=1, max_size=14))
async def test_grouped_values_equal_correlated_values(client, engine, app, ops):
    api: Api = await signed_up(client)
    state = await build(api)
    for _ in range(3):
        await apply(api, state, ("add_group", "g"))
    for op in ops:
        await apply(api, state, op)
    compared = await values_both_ways(engine, app, api.database_id)
    # The link field, its reverse field and the lookup through the reverse field at least.
    assert len(compared) >= 3
    for name, old, new in compared:
        assert new == old, name


async def test_grouped_keeps_link_order_and_empty_cells(client, engine, app):
    api = await signed_up(client)
    state = await build(api)
    for name in ("Lyon", "Brest", "Arles"):
        await apply(api, state, ("add_group", name))
    lyon, brest, arles = state["group_rows"]
    actions = state["actions"]
    row = await api.post(f"/api/database/rows/table/{actions}/?user_field_names=true", {"Name": "a", "People": 1})
    # Link order as written (not id order) on the link side; an action with no link has an empty cell.
    await api.patch(f"/api/database/rows/table/{actions}/{row['id']}/?user_field_names=true", {"Groupe": [arles, lyon]})
    await api.post(f"/api/database/rows/table/{actions}/?user_field_names=true", {"Name": "lonely", "People": 2})
    compared = await values_both_ways(engine, app, api.database_id)
    link_cells = next(new for name, _old, new in compared if name == "link_row Groupe")
    assert [v["value"] for v in link_cells[row["id"]]] == ["Arles", "Lyon"]
    assert [] in link_cells.values()
    for name, old, new in compared:
        assert new == old, name
    assert brest  # linked to nothing: its reverse cell is empty in both forms (checked by the loop above)
