"""Sorting or filtering a large table makes the matching indexes, in the background, and queries use them."""

from sqlalchemy import text

from tests.factories import signed_up_on_small_threshold


async def test_sort_and_filter_build_indexes_that_the_planner_uses(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (app, api):
        table = await api.table("Groupes", [{"name": "Membres", "type": "number"}])
        members = table["by_name"]["Membres"]["id"]
        await api.post(
            f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
            {"items": [{"Name": f"G{i}", "Membres": i} for i in range(5)]},
        )
        listed = await api.rows(
            table["id"],
            order_by=f"-field_{members}",
            **{f"filter__field_{table['by_name']['Name']['id']}__contains": "g"},
        )
        assert [r[f"field_{members}"] for r in listed["results"]] == ["4", "3", "2", "1", "0"]
        await app.state.ctx.indexes.wait()

    async with engine.connect() as conn:
        names = set(
            (
                await conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": f"rows_{table['id']}"}
                )
            ).scalars()
        )
        assert f"ncdb_r{table['id']}_sort_{members}" in names
        assert f"ncdb_r{table['id']}_trgm_{table['by_name']['Name']['id']}" in names
        await conn.execute(text("SET enable_seqscan = off"))
        await conn.execute(text("SET enable_sort = off"))
        plan = "\n".join(
            (
                await conn.execute(
                    text(
                        f"EXPLAIN SELECT id FROM rows WHERE table_id = {table['id']} "
                        f"ORDER BY CAST((data ->> '{members}') AS NUMERIC) DESC NULLS LAST LIMIT 2"
                    )
                )
            ).scalars()
        )
        assert f"ncdb_r{table['id']}_sort_{members}" in plan


async def test_search_on_a_large_table_builds_the_search_index(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (app, api):
        table = await api.table("Villes")
        await api.post(
            f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
            {"items": [{"Name": n} for n in ["Besançon", "Brest", "Lyon", "Nice"]]},
        )
        found = await api.rows(table["id"], search="besancon", user_field_names="true")
        assert [r["Name"] for r in found["results"]] == ["Besançon"]
        await app.state.ctx.indexes.wait()
    async with engine.connect() as conn:
        names = set(
            (
                await conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": f"rows_{table['id']}"}
                )
            ).scalars()
        )
    assert f"ncdb_r{table['id']}_search" in names


async def test_filters_without_an_indexable_expression_never_fail_the_read(settings, engine):
    """A boolean filter's expression holds a JSONB constant the index writer cannot inline: no index, no 500."""
    async with signed_up_on_small_threshold(settings, engine) as (app, api):
        table = await api.table("Groupes", [{"name": "Actif", "type": "boolean"}])
        active = table["by_name"]["Actif"]["id"]
        await api.post(
            f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
            {"items": [{"Name": f"G{i}", "Actif": i % 2 == 0} for i in range(5)]},
        )
        listed = await api.rows(table["id"], **{f"filter__field_{active}__boolean": "1"})
        assert listed["count"] == 3
        await app.state.ctx.indexes.wait()
