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

from nocodedb.db import tx_notes
from nocodedb.db.schema import rows
from nocodedb.services.indexes import search_index_name

_KEY = "ncdb_search_index_dropped"
# Dropping takes the table's ACCESS EXCLUSIVE lock: when a reader or an index build holds the table
# longer than this, the rewrite goes on with the index (slower, but it never waits long or fails).
LOCK_WAIT = "2s"


async def set_search_index_aside(conn: AsyncConnection, table_id: int) -> bool:
    """Drop table `table_id`'s search index for the rest of this transaction; note it for a rebuild."""
    name = search_index_name(table_id)
    found = await conn.execute(
        text(
            "SELECT array(SELECT p.pid FROM pg_stat_progress_create_index p JOIN pg_database d ON d.oid = p.datid "
            "WHERE d.datname = current_database() AND p.index_relid = c.oid) "
            "FROM pg_class c WHERE c.relname = :n AND c.relkind = 'i'"
        ),
        {"n": name},
    )
    builders = found.scalar()
    if builders is None:
        return False
    for pid in builders:
        # A rebuild after an earlier rewrite is still running: it would make this one wait, then go on
        # the slow way (26 s instead of 7 for a lookup on 200,000 rows). Its work is lost anyway, since
        # this rewrite changes every row: cancel it; this transaction's commit starts it again.
        await conn.execute(text("SELECT pg_cancel_backend(:p)"), {"p": pid})
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
    tx_notes.note(conn, _KEY, set).add(int(table_id))
    return True


def take_set_aside(conn: AsyncConnection) -> set[int]:
    """Ids of the tables whose search index this transaction dropped (then forgets them)."""
    tables: set[int] | None = tx_notes.take(conn, _KEY)
    return tables or set()


async def remove_key(conn: AsyncConnection, table_id: int, key: str) -> None:
    """Remove a deleted field's cells from every row of its table that has one."""
    await set_search_index_aside(conn, table_id)
    await conn.execute(
        update(rows)
        .where(rows.c.table_id == table_id, rows.c.data.has_key(key))
        .values(data=rows.c.data.op("-")(literal(key)))
    )
