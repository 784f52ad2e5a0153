"""Before a statement rewrites every row of a table: set the table's search index aside.

The whole-row search index (services/indexes.search_index: trigrams of each row's folded JSON text) is
updated row by row with every write. For a statement that rewrites the whole table (a new formula or
lookup computed on every row, a field deleted or converted) that is most of the work: rewriting 100,000
rows took 12.5 s with it and 1.3 s without, while building it again from scratch takes about 9 s in the
background. So the rewrite drops it inside its transaction (a rollback brings it back), and once the
transaction has committed the index advisor builds it again CONCURRENTLY (api/http.transaction).
Meanwhile search reads the table without it: slower, never wrong.
"""

from __future__ import annotations

from sqlalchemy import literal, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb.db.schema import rows

_KEY = "ncdb_search_index_dropped"
# Dropping takes the table's ACCESS EXCLUSIVE lock: when a reader or an index build holds the table
# longer than this, the rewrite goes on with the index (slower, but it never waits long or fails).
LOCK_WAIT = "1s"


def _current(conn: AsyncConnection) -> object | None:
    return conn.sync_connection.get_transaction() if conn.sync_connection is not None else None


async def set_search_index_aside(conn: AsyncConnection, table_id: int) -> bool:
    """Drop table `table_id`'s search index for the rest of this transaction; note it for a rebuild."""
    name = f"ncdb_r{int(table_id)}_search"
    found = await conn.execute(text("SELECT 1 FROM pg_class WHERE relname = :n AND relkind = 'i'"), {"n": name})
    if found.first() is None:
        return False
    previous = (await conn.execute(text("SELECT current_setting('lock_timeout')"))).scalar_one()
    savepoint = await conn.begin_nested()
    try:
        await conn.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": LOCK_WAIT})
        await conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        await savepoint.commit()
    except DBAPIError:
        await savepoint.rollback()
        return False
    finally:
        await conn.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": previous})
    held = conn.info.get(_KEY)
    if held is None or held[0] is not _current(conn):
        held = (_current(conn), set())
        conn.info[_KEY] = held
    held[1].add(int(table_id))
    return True


def take_set_aside(conn: AsyncConnection) -> set[int]:
    """Ids of the tables whose search index this transaction dropped (then forgets them)."""
    held = conn.info.pop(_KEY, None)
    if held is None or held[0] is not _current(conn):
        return set()
    tables: set[int] = held[1]
    return tables


async def remove_key(conn: AsyncConnection, table_id: int, key: str) -> None:
    """Remove a deleted field's cells from every row of its table that has one."""
    await set_search_index_aside(conn, table_id)
    await conn.execute(
        update(rows)
        .where(rows.c.table_id == table_id, rows.c.data.has_key(key))
        .values(data=rows.c.data.op("-")(literal(key)))
    )
