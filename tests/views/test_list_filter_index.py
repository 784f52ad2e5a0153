"""has_value_equal and link_row_has on links and lookups: exact answers for every kind of looked-up value
(the containment pre-filter of views/filter_arrays.py never drops a match), and on a large table the GIN
index the advisor builds for it, which the planner uses."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from nocodedb.db.schema import rows
from nocodedb.queries.rows import FieldSet, filter_condition
from nocodedb.services.metadata import load_fields
from tests.factories import Api, signed_up, signed_up_on_small_threshold


def element_text(element: dict[str, Any]) -> str | None:
    """What the filter compares, computed in Python from the API's cell."""
    value = element.get("value")
    if isinstance(value, dict):
        value = value.get("value")
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()


async def linked_tables(api: Api) -> dict[str, Any]:
    groups = await api.table(
        "Groupes",
        [
            {"name": "Size", "type": "number", "number_decimal_places": 1},
            {"name": "Active", "type": "boolean"},
            {"name": "Kind", "type": "single_select", "select_options": [{"value": "Local", "color": "blue"}]},
        ],
    )
    actions = await api.table("Actions")
    link = await api.post(
        f"/api/database/fields/table/{actions['id']}/",
        {"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]},
    )
    lookups = {}
    for name in ("Name", "Size", "Active", "Kind"):
        lookups[name] = await api.post(
            f"/api/database/fields/table/{actions['id']}/",
            {
                "name": f"{name} du groupe",
                "type": "lookup",
                "through_field_id": link["id"],
                "target_field_id": groups["by_name"][name]["id"],
            },
        )
    group_rows = []
    for name, size, active, kind in [
        ("Lyon", "12", True, "Local"),
        ("12", "12.5", False, None),
        ("true", None, True, None),
    ]:
        group_rows.append(
            await api.post(
                f"/api/database/rows/table/{groups['id']}/?user_field_names=true",
                {"Name": name, "Size": size, "Active": active, "Kind": kind},
            )
        )
    for i, linked in enumerate([[0], [1], [2], [0, 1], [], [1, 2]]):
        await api.post(
            f"/api/database/rows/table/{actions['id']}/?user_field_names=true",
            {"Name": f"a{i}", "Groupe": [group_rows[g]["id"] for g in linked]},
        )
    return {"groups": groups, "actions": actions, "link": link, "lookups": lookups, "group_rows": group_rows}


async def test_has_value_equal_is_exact_for_every_looked_up_type(client):
    api = await signed_up(client)
    world = await linked_tables(api)
    actions = world["actions"]["id"]
    every = (await api.rows(actions, size=200))["results"]
    checked = 0
    # Lookups of selects store option ids and are filtered with has_any_select_option_equal instead.
    for lookup in (world["lookups"][name] for name in ("Name", "Size", "Active")):
        key = f"field_{lookup['id']}"
        for wanted in ["Lyon", "12", "12.0", "12.5", "true", "false", "Local", "null", "[]", "lyon"]:
            expected = {r["id"] for r in every if any(element_text(e) == wanted for e in r[key])}
            for filter_type, want in (("has_value_equal", expected), ("has_not_value_equal", None)):
                filters = {
                    "filter_type": "AND",
                    "filters": [{"field": lookup["id"], "type": filter_type, "value": wanted}],
                }
                found = {r["id"] for r in (await api.rows(actions, filters=orjson.dumps(filters).decode()))["results"]}
                assert found == (want if want is not None else {r["id"] for r in every} - expected), (
                    lookup["name"],
                    filter_type,
                    wanted,
                )
                checked += 1
    assert checked == 3 * 10 * 2
    # link_row_has by row id, through the same pre-filter.
    lyon = world["group_rows"][0]["id"]
    filters = {
        "filter_type": "AND",
        "filters": [{"field": world["link"]["id"], "type": "link_row_has", "value": str(lyon)}],
    }
    listed = await api.rows(actions, filters=orjson.dumps(filters).decode(), user_field_names="true")
    assert {r["Name"] for r in listed["results"]} == {"a0", "a3"}


@pytest.mark.parametrize(
    ("filter_type", "value", "index"),
    [("has_value_equal", "Lyon", "list"), ("has_value_containing", "yo", "listtrgm")],
)
async def test_a_large_table_filtered_on_a_lookup_gets_an_index_the_planner_uses(
    settings, engine, filter_type, value, index
):
    """has_value_equal: a GIN jsonb_path_ops index for the containment pre-filter; has_value_containing: a
    trigram index on the list's folded JSON text."""
    async with signed_up_on_small_threshold(settings, engine) as (app, api):
        world = await linked_tables(api)
        actions = world["actions"]["id"]
        city = world["lookups"]["Name"]["id"]
        filters = {"filter_type": "AND", "filters": [{"field": city, "type": filter_type, "value": value}]}
        listed = await api.rows(actions, filters=orjson.dumps(filters).decode(), user_field_names="true")
        assert sorted(r["Name"] for r in listed["results"]) == ["a0", "a3"]
        await app.state.ctx.indexes.wait()

    name = f"ncdb_r{actions}_{index}_{city}"
    async with engine.connect() as conn:
        names = set(
            (
                await conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": f"rows_{actions}"}
                )
            ).scalars()
        )
        assert name in names
        # The condition exactly as the rows API compiles it, so the index is checked against the real query.
        fieldset = FieldSet(await load_fields(conn, actions))
        condition = filter_condition(filters, fieldset, app.state.ctx.field_types, app.state.ctx.filter_types, False)
        query = select(rows.c.id).where(condition)
        sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        # On the table's own partition, where the index lives (no table_id condition for the btree to answer).
        sql = sql.replace("\nFROM rows \n", f"\nFROM rows_{actions} AS rows \n", 1)
        assert f"rows_{actions} AS rows" in sql, sql
        await conn.execute(text("SET enable_seqscan = off"))
        await conn.execute(text("SET enable_indexscan = off"))  # a tiny table: keep the btree on table_id out
        plan = "\n".join((await conn.execute(text(f"EXPLAIN {sql}"))).scalars())
        assert name in plan, plan


def folded_py(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def test_has_value_containing_is_exact_whatever_json_escapes_the_text(client):
    """The JSON-text pre-filter must never drop a match: quotes, backslashes, accents, case, numbers."""
    api = await signed_up(client)
    world = await linked_tables(api)
    groups, actions = world["groups"]["id"], world["actions"]["id"]
    extra = []
    for name in ['Saint-Étienne "Nord"', "back\\slash", "Œuvre\tTab", "ÉCOLE"]:
        extra.append(await api.post(f"/api/database/rows/table/{groups}/?user_field_names=true", {"Name": name}))
    for i, made in enumerate(extra):
        await api.post(
            f"/api/database/rows/table/{actions}/?user_field_names=true",
            {"Name": f"x{i}", "Groupe": [made["id"], world["group_rows"][0]["id"]]},
        )
    every = (await api.rows(actions, size=200))["results"]
    checked = 0
    for lookup in (world["lookups"][name] for name in ("Name", "Size")):
        key = f"field_{lookup['id']}"
        for wanted in ['"Nord"', "etienne", "\\", "k\\s", "\t", "ecole", "LYO", "2.5", "12", '"', "value", "id"]:
            needle = folded_py(wanted)
            expected = {r["id"] for r in every if any(needle in folded_py(element_text(e) or "") for e in r[key])}
            for filter_type in ("has_value_containing", "has_not_value_containing"):
                filters = {
                    "filter_type": "AND",
                    "filters": [{"field": lookup["id"], "type": filter_type, "value": wanted}],
                }
                found = {r["id"] for r in (await api.rows(actions, filters=orjson.dumps(filters).decode()))["results"]}
                want = expected if filter_type == "has_value_containing" else {r["id"] for r in every} - expected
                assert found == want, (lookup["name"], filter_type, wanted)
                checked += 1
    assert checked == 2 * 12 * 2


async def test_the_indexes_of_a_field_go_when_it_is_deleted_or_changes_type(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (app, api):
        world = await linked_tables(api)
        actions, groups = world["actions"]["id"], world["groups"]["id"]
        city = world["lookups"]["Name"]["id"]
        size = world["groups"]["by_name"]["Size"]["id"]

        async def filtered(table: int, field: int, kind: str, value: str) -> None:
            filters = {"filter_type": "AND", "filters": [{"field": field, "type": kind, "value": value}]}
            await api.rows(table, filters=orjson.dumps(filters).decode())
            await app.state.ctx.indexes.wait()

        async def indexes(table: int) -> set[str]:
            async with engine.connect() as conn:
                found = await conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": f"rows_{table}"}
                )
                return {n for n in found.scalars() if n.startswith("ncdb_")}

        await filtered(actions, city, "has_value_equal", "Lyon")
        await filtered(actions, city, "has_value_containing", "yo")
        await filtered(groups, size, "higher_than", "3")
        assert {f"ncdb_r{actions}_list_{city}", f"ncdb_r{actions}_listtrgm_{city}"} <= await indexes(actions)
        assert f"ncdb_r{groups}_value_{size}" in await indexes(groups)

        await api.delete(f"/api/database/fields/{city}/", expect=200)
        await app.state.ctx.indexes.wait()
        assert not {n for n in await indexes(actions) if n.endswith(f"_{city}")}

        # A type change drops the old expression's index; the next filter builds the new one.
        await api.patch(f"/api/database/fields/{size}/", {"type": "text"})
        await app.state.ctx.indexes.wait()
        assert f"ncdb_r{groups}_value_{size}" not in await indexes(groups)
        await filtered(groups, size, "contains", "2")
        assert f"ncdb_r{groups}_trgm_{size}" in await indexes(groups)
