"""After any sequence of writes, link changes and field changes, every materialized value equals a fresh
recomputation: recomputing every computed field on every row changes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nocodedb.computed.engine import COMPUTED_TYPES, Recomputer, all_row_ids, load_graph
from nocodedb.db.schema import databases
from tests.factories import Api, signed_up

operation = st.one_of(
    st.tuples(st.just("add_action"), st.integers(0, 50), st.lists(st.integers(0, 5), max_size=3), st.booleans()),
    st.tuples(st.just("add_group"), st.text("abcdé ", min_size=1, max_size=6)),
    st.tuples(st.just("rename_group"), st.integers(0, 5), st.text("xyzè", min_size=1, max_size=5)),
    st.tuples(st.just("relink"), st.integers(0, 5), st.lists(st.integers(0, 5), max_size=3)),
    st.tuples(st.just("set_people"), st.integers(0, 5), st.integers(-5, 500)),
    st.tuples(st.just("delete_action"), st.integers(0, 5)),
    st.tuples(st.just("delete_group"), st.integers(0, 5)),
    st.tuples(st.just("retype_people"), st.sampled_from(["text", "number"])),
    st.tuples(st.just("change_rollup"), st.sampled_from(["sum", "max", "count", "concat", "avg"])),
)


async def build(api: Api) -> dict[str, Any]:
    groups = await api.table("Groupes")
    actions = await api.table("Actions", [{"name": "People", "type": "number"}, {"name": "Done", "type": "boolean"}])
    link = await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    reverse = link["link_row_related_field_id"]
    people = actions["by_name"]["People"]["id"]
    url = f"/api/database/fields/table/{groups['id']}/"
    await api.post(
        url,
        {
            "name": "Names",
            "type": "lookup",
            "through_field_id": reverse,
            "target_field_id": actions["by_name"]["Name"]["id"],
        },
    )
    rollup = await api.post(
        url,
        {
            "name": "Total",
            "type": "rollup",
            "through_field_id": reverse,
            "target_field_id": people,
            "rollup_function": "sum",
        },
    )
    await api.post(
        url,
        {
            "name": "DoneCount",
            "type": "count",
            "through_field_id": reverse,
            "filters": {
                "filter_type": "AND",
                "filters": [{"field": actions["by_name"]["Done"]["id"], "type": "boolean", "value": "1"}],
            },
        },
    )
    await api.post(
        url,
        {
            "name": "Summary",
            "type": "formula",
            "formula": "CONCATENATE(Name, ': ', {DoneCount}, '/', COUNTALL({Names}))",
        },
    )
    await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Label", "type": "formula", "formula": "CONCATENATE(Name, '@', ARRAYJOIN({Groupe}, '+'))"},
    )
    # Through the link from the other side: a rename relabels Groupe's cells without changing which groups
    # they link to; these must still follow (the name, the summary) or stay (the count).
    url = f"/api/database/fields/table/{actions['id']}/"
    await api.post(url, {"name": "GroupCount", "type": "count", "through_field_id": link["id"]})
    await api.post(
        url,
        {
            "name": "GroupNames",
            "type": "lookup",
            "through_field_id": link["id"],
            "target_field_id": groups["by_name"]["Name"]["id"],
        },
    )
    summary = await api.get(f"/api/database/fields/table/{groups['id']}/")
    await api.post(
        url,
        {
            "name": "GroupSummaries",
            "type": "lookup",
            "through_field_id": link["id"],
            "target_field_id": next(f["id"] for f in summary if f["name"] == "Summary"),
        },
    )
    return {
        "groups": groups["id"],
        "actions": actions["id"],
        "people": people,
        "rollup": rollup["id"],
        "group_rows": [],
        "action_rows": [],
    }


def pick(ids: list[int], index: int) -> int | None:
    return ids[index % len(ids)] if ids else None


async def apply(api: Api, state: dict[str, Any], op: tuple[Any, ...]) -> None:
    groups, actions = state["groups"], state["actions"]
    kind = op[0]
    if kind == "add_group":
        row = await api.post(f"/api/database/rows/table/{groups}/?user_field_names=true", {"Name": op[1]})
        state["group_rows"].append(row["id"])
    elif kind == "add_action":
        links = sorted({g for i in op[2] if (g := pick(state["group_rows"], i)) is not None})
        response = await api.client.post(
            f"/api/database/rows/table/{actions}/?user_field_names=true",
            headers=api.headers,
            json={"Name": f"a{op[1]}", "People": op[1], "Done": op[3], "Groupe": links},
        )
        if response.status_code == 200:
            state["action_rows"].append(response.json()["id"])
    elif kind == "rename_group" and (g := pick(state["group_rows"], op[1])) is not None:
        await api.patch(f"/api/database/rows/table/{groups}/{g}/?user_field_names=true", {"Name": op[2]})
    elif kind == "relink" and (a := pick(state["action_rows"], op[1])) is not None:
        links = sorted({g for i in op[2] if (g := pick(state["group_rows"], i)) is not None})
        await api.patch(f"/api/database/rows/table/{actions}/{a}/?user_field_names=true", {"Groupe": links})
    elif kind == "set_people" and (a := pick(state["action_rows"], op[1])) is not None:
        await api.client.patch(
            f"/api/database/rows/table/{actions}/{a}/?user_field_names=true",
            headers=api.headers,
            json={"People": str(op[2])},
        )
    elif kind == "delete_action" and (a := pick(state["action_rows"], op[1])) is not None:
        await api.delete(f"/api/database/rows/table/{actions}/{a}/")
        state["action_rows"].remove(a)
    elif kind == "delete_group" and (g := pick(state["group_rows"], op[1])) is not None:
        await api.delete(f"/api/database/rows/table/{groups}/{g}/")
        state["group_rows"].remove(g)
    elif kind == "retype_people":
        await api.patch(f"/api/database/fields/{state['people']}/", {"type": op[1]})
    elif kind == "change_rollup":
        await api.patch(f"/api/database/fields/{state['rollup']}/", {"rollup_function": op[1]})


async def assert_consistent(engine: Any, app: Any, database_id: int) -> None:
    ctx = app.state.ctx
    async with engine.connect() as conn:
        graph = await load_graph(conn, database_id)
        recomputer = Recomputer(conn, graph, ctx.field_types, ctx.filter_types)
        for f in graph.fields_by_id.values():
            if f.type in COMPUTED_TYPES:
                ids = await all_row_ids(conn, f.table_id)
                stale = await recomputer.recompute_field(f, ids)
                assert not stale, (f.name, f.type, sorted(stale))
        await conn.rollback()


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(operation, min_size=1, max_size=14))
async def test_materialized_values_equal_a_fresh_recomputation(client, engine, app, ops):
    api = await signed_up(client)
    state = await build(api)
    for _ in range(3):
        await apply(api, state, ("add_group", "g"))
    for op in ops:
        await apply(api, state, op)
    async with engine.connect() as conn:
        assert (await conn.execute(select(databases.c.id).where(databases.c.id == api.database_id))).scalar_one()
    await assert_consistent(engine, app, api.database_id)
