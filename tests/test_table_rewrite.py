"""A statement rewriting every row sets the table's search index aside and the advisor builds it again."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nocodedb.services.table_rewrite import set_search_index_aside, take_set_aside
from tests.factories import signed_up_on_small_threshold


async def _search_index_oid(engine: Any, table_id: int) -> int | None:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT c.oid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE relname = :n AND indisvalid"
            ),
            {"n": f"ncdb_r{table_id}_search"},
        )
        return found.scalar()


async def _searched_table(app: Any, api: Any) -> dict[str, Any]:
    table = await api.table("Villes", [{"name": "Note", "type": "text"}])
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": n, "Note": f"n{i}"} for i, n in enumerate(["Besançon", "Brest", "Lyon", "Nice"])]},
    )
    await api.rows(table["id"], search="brest")
    await app.state.ctx.indexes.wait()
    return table


async def test_a_new_formula_and_a_deleted_field_rebuild_the_search_index(app, settings, engine):
    # `app`: the session's app installed the formulas' SQL functions in the test database.
    async with signed_up_on_small_threshold(settings, engine) as (small, api):
        table = await _searched_table(small, api)
        first = await _search_index_oid(engine, table["id"])
        assert first is not None

        await api.post(
            f"/api/database/fields/table/{table['id']}/",
            {"name": "Étiquette", "type": "formula", "formula": "CONCATENATE({Name}, ' zone ', {Note})"},
        )
        await small.state.ctx.indexes.wait()
        second = await _search_index_oid(engine, table["id"])
        assert second is not None and second != first  # dropped in the rewrite, built again after it
        found = await api.rows(table["id"], search="lyon zone", user_field_names="true")
        assert [r["Name"] for r in found["results"]] == ["Lyon"]

        await api.delete(f"/api/database/fields/{table['by_name']['Note']['id']}/", expect=200)
        await small.state.ctx.indexes.wait()
        third = await _search_index_oid(engine, table["id"])
        assert third is not None and third != second
        found = await api.rows(table["id"], search="n2", user_field_names="true")
        assert found["count"] == 0  # the deleted field's values are gone from every row
        async with engine.connect() as conn:
            left = await conn.execute(
                text("SELECT count(*) FROM rows WHERE table_id = :t AND data ? :k"),
                {"t": table["id"], "k": str(table["by_name"]["Note"]["id"])},
            )
            assert left.scalar_one() == 0


async def test_a_rolled_back_rewrite_keeps_the_index_and_a_busy_table_keeps_it_too(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (small, api):
        table = await _searched_table(small, api)
    oid = await _search_index_oid(engine, table["id"])
    assert oid is not None

    async with engine.connect() as conn:
        async with conn.begin() as tx:
            assert await set_search_index_aside(conn, table["id"]) is True
            await tx.rollback()
        async with conn.begin():
            assert take_set_aside(conn) == set()  # the note of a rolled-back transaction is not taken later
    assert await _search_index_oid(engine, table["id"]) == oid

    # A reader holding the table: the rewrite waits about a second, then goes on with the index in place.
    async with engine.connect() as reader, engine.connect() as writer:
        await reader.begin()
        await reader.execute(text(f"SELECT count(*) FROM rows_{table['id']}"))
        async with writer.begin():
            assert await set_search_index_aside(writer, table["id"]) is False
            assert take_set_aside(writer) == set()
            timeout = (await writer.execute(text("SELECT current_setting('lock_timeout')"))).scalar_one()
            assert timeout == "0"  # the transaction's own setting is back
            await writer.execute(text(f"UPDATE rows SET data = data WHERE table_id = {table['id']}"))
        await reader.rollback()
    assert await _search_index_oid(engine, table["id"]) == oid


@asynccontextmanager
async def _build_in_progress(engine: Any, table_id: int) -> AsyncIterator[asyncio.Task[Any]]:
    """A CREATE INDEX CONCURRENTLY of the table's search index, held in its last phase (in progress)."""
    name = f"ncdb_r{table_id}_search"
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        await conn.commit()
    async with engine.connect() as old_snapshot, engine.connect() as builder, engine.connect() as watcher:
        # A transaction holding a snapshot keeps a concurrent build waiting in its last phase.
        await old_snapshot.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ"))
        await old_snapshot.execute(text("SELECT count(*) FROM users"))
        builder = await builder.execution_options(isolation_level="AUTOCOMMIT")
        build = asyncio.create_task(
            builder.exec_driver_sql(
                f"CREATE INDEX CONCURRENTLY {name} ON rows_{table_id} USING gin ((data::text) gin_trgm_ops)"
            )
        )
        for _ in range(200):
            progress = await watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_progress_create_index p JOIN pg_class c ON c.oid = p.index_relid "
                    "WHERE c.relname = :n"
                ),
                {"n": name},
            )
            await watcher.rollback()
            if progress.scalar_one():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the build never showed up as in progress")
        yield build
        await old_snapshot.rollback()


async def test_a_rebuild_still_running_is_cancelled_by_the_next_rewrite(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (small, api):
        table = await _searched_table(small, api)
    async with _build_in_progress(engine, table["id"]) as build, engine.connect() as writer:
        async with writer.begin():
            assert await set_search_index_aside(writer, table["id"]) is True
            assert take_set_aside(writer) == {table["id"]}
        with pytest.raises(DBAPIError, match="canceling statement"):
            await build
    assert await _search_index_oid(engine, table["id"]) is None


async def test_an_index_left_half_built_is_built_again_at_start(settings, engine):
    async with signed_up_on_small_threshold(settings, engine) as (small, api):
        table = await _searched_table(small, api)
    async with _build_in_progress(engine, table["id"]) as build, engine.connect() as killer:
        # As when the server is killed during a build: the index stays, invalid, updated by every write.
        await killer.execute(
            text("SELECT pg_cancel_backend(pid) FROM pg_stat_progress_create_index WHERE relid = CAST(:t AS regclass)"),
            {"t": f"rows_{table['id']}"},
        )
        with pytest.raises(DBAPIError, match="canceling statement"):
            await build
    assert await _search_index_oid(engine, table["id"]) is None  # present but not valid

    async with signed_up_on_small_threshold(settings, engine) as (small, api):
        await small.state.ctx.indexes.wait()
    assert await _search_index_oid(engine, table["id"]) is not None
